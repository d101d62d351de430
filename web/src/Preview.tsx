import { useEffect, useState } from 'preact/hooks';
import { isAbort } from './api';
import { humanSize, previewKind } from './format';
import { errorText } from './messages';

const TEXT_LIMIT = 64 * 1024;

interface Props {
  name: string;
  url: string;
  thumbnailUrl: string;
  downloadUrl: string;
  size: number;
  label: string;
}

/** A preview of one version of a file, chosen by the file's extension. */
export function Preview({ name, url, thumbnailUrl, downloadUrl, size, label }: Props) {
  const kind = previewKind(name);
  let body;
  switch (kind) {
    case 'video':
      body = <video key={url} class="player" controls preload="metadata" data-testid="player" src={url} />;
      break;
    case 'audio':
      body = <audio key={url} class="audio-body" controls preload="metadata" data-testid="player" src={url} />;
      break;
    case 'image':
      body = <img key={url} class="image-body" data-testid="image-preview" src={url} alt={name} />;
      break;
    case 'still':
      body = (
        <>
          <img key={thumbnailUrl} class="image-body" data-testid="thumbnail-preview" src={thumbnailUrl} alt={name} />
          <div class="preview-note">A thumbnail made on the server; download the file for every pixel.</div>
        </>
      );
      break;
    case 'text':
      body = <TextPreview key={url} url={url} size={size} />;
      break;
    default:
      body = (
        <div class="no-preview" data-testid="no-preview">
          <p>No preview for this type</p>
          <a class="btn" href={downloadUrl} download={name}>
            Download {humanSize(size)}
          </a>
        </div>
      );
  }
  return (
    <section class={`preview preview-${kind}`} data-testid="preview" data-kind={kind} aria-label={`Preview of ${label}`}>
      <div class="preview-label">{label}</div>
      {body}
    </section>
  );
}

/** Reads at most `limit` bytes of a response body, whatever the server sent. */
async function readUpTo(res: Response, limit: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(await res.arrayBuffer()).subarray(0, limit);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  while (n < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
  }
  if (n >= limit) reader.cancel().catch(() => undefined);
  const out = new Uint8Array(Math.min(n, limit));
  let off = 0;
  for (const p of parts) {
    const take = Math.min(p.length, out.length - off);
    out.set(p.subarray(0, take), off);
    off += take;
    if (off >= out.length) break;
  }
  return out;
}

function TextPreview({ url, size }: { url: string; size: number }) {
  const [state, setState] = useState<{ text?: string; error?: string; binary?: boolean }>({});
  useEffect(() => {
    const ac = new AbortController();
    (async () => {
      try {
        const res = await fetch(url, {
          headers: { Range: `bytes=0-${TEXT_LIMIT - 1}` },
          signal: ac.signal,
          credentials: 'same-origin',
          cache: 'no-store',
        });
        if (!res.ok && res.status !== 416) {
          let message = `${res.status} ${res.statusText}`;
          try {
            const j = (await res.json()) as { error?: { message?: string } };
            if (j.error?.message) message = j.error.message;
          } catch {
            /* not JSON */
          }
          setState({ error: message });
          return;
        }
        const bytes = res.status === 416 ? new Uint8Array() : await readUpTo(res, TEXT_LIMIT);
        const binary = bytes.subarray(0, 8192).includes(0);
        // stream: an incomplete UTF-8 sequence cut at the 64 KiB boundary is left out, not garbled.
        setState({ text: new TextDecoder('utf-8').decode(bytes, { stream: true }), binary });
      } catch (e) {
        if (!isAbort(e)) setState({ error: errorText(e) ?? 'Cannot read the file' });
      }
    })();
    return () => ac.abort();
  }, [url]);

  if (state.error) return <div class="preview-error">Cannot show this file: {state.error}</div>;
  if (state.text === undefined) return <div class="placeholder">Loading…</div>;
  return (
    <>
      {state.binary && <div class="preview-note">This file looks binary; shown as text anyway.</div>}
      <pre class="text-body" data-testid="text-preview">
        {state.text}
      </pre>
      {size > TEXT_LIMIT && (
        <div class="preview-note">
          Showing the first 64 KiB of {humanSize(size)}. Download the file to see all of it.
        </div>
      )}
    </>
  );
}
