// Uploads from the browser, kept while the app moves between pages: one file at a time, each in
// pieces of 4 MiB sent one after the other. The server keeps what it has received, so a failed
// upload goes on from there when retried (a lost connection is retried a few times at once).
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from './api';
import { humanSize } from './format';
import { notify, sleep } from './live';
import { errorText } from './messages';
import { fileHref, joinPath } from './route';

const PIECE = 4 * 1024 * 1024;

type State = 'queued' | 'uploading' | 'done' | 'failed';

interface Upload {
  key: number;
  ws: string;
  path: string;
  name: string;
  file: Blob;
  size: number;
  sent: number;
  state: State;
  error?: string;
  id?: string; // the server's upload once begun
  ac?: AbortController;
}

let uploads: Upload[] = [];
let nextKey = 1;
let pumping = false;
const subs = new Set<(list: Upload[]) => void>();

function changed(): void {
  uploads = uploads.slice();
  subs.forEach((f) => f(uploads));
}

function forget(u: Upload): void {
  uploads = uploads.filter((x) => x !== u);
  changed();
}

function abandon(u: Upload): void {
  if (u.id) api.uploadAbandon(u.ws, u.id).catch(() => {});
  u.id = undefined;
}

/** Uploads `files` into folder `dir` of `ws`; an existing file gets a new version. */
export function upload(ws: string, dir: string, files: File[]): void {
  for (const f of files) {
    uploads.push({ key: nextKey++, ws, path: joinPath(dir, f.name), name: f.name, file: f, size: f.size, sent: 0, state: 'queued' });
  }
  changed();
  void pump();
}

async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  let u: Upload | undefined;
  while ((u = uploads.find((x) => x.state === 'queued'))) await run(u);
  pumping = false;
}

/** Sends what the server does not have yet. */
async function send(u: Upload, signal: AbortSignal): Promise<void> {
  if (u.id) {
    try {
      u.sent = (await api.uploadState(u.ws, u.id, signal)).received;
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
      u.id = undefined; // gone (idle for an hour): from the start
    }
  }
  if (!u.id) {
    const b = await api.uploadBegin(u.ws, u.path, u.size);
    u.id = b.id;
    u.sent = b.received;
  }
  changed();
  while (u.sent < u.size) {
    const piece = u.file.slice(u.sent, Math.min(u.size, u.sent + PIECE));
    try {
      u.sent = (await api.uploadPiece(u.ws, u.id, u.sent, piece, signal)).received;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'conflict')) throw e;
      // The server has another count (the answer to a piece was lost): go on from there.
      const received = (await api.uploadState(u.ws, u.id, signal)).received;
      if (received === u.sent) throw e;
      u.sent = received;
    }
    changed();
  }
}

async function run(u: Upload): Promise<void> {
  const ac = (u.ac = new AbortController());
  u.state = 'uploading';
  u.error = undefined;
  changed();
  for (let tries = 1; ; tries++) {
    try {
      await send(u, ac.signal);
      if (ac.signal.aborted) throw new DOMException('cancelled', 'AbortError');
      const v = await api.uploadFinish(u.ws, u.id as string);
      u.state = 'done';
      u.id = undefined;
      changed();
      notify({ seq: 0, kind: 'version', path: u.path, type: 'file', version: v.number });
      return;
    } catch (e) {
      if (ac.signal.aborted) {
        abandon(u); // cancelled
        return;
      }
      if (e instanceof ApiError && e.status === 404) u.id = undefined; // a retry starts again
      if (e instanceof ApiError && e.status === 0 && tries < 4) {
        await sleep(1000 * tries, ac.signal);
        continue;
      }
      u.state = 'failed';
      u.error = errorText(e) ?? 'Failed';
      changed();
      return;
    }
  }
}

function retry(u: Upload): void {
  u.state = 'queued';
  changed();
  void pump();
}

/** Stops (or forgets) an upload; what the server has of it is dropped. */
function cancel(u: Upload): void {
  forget(u);
  if (u.state === 'uploading') u.ac?.abort();
  else abandon(u);
}

function useUploads(): Upload[] {
  const [list, setList] = useState(uploads);
  useEffect(() => {
    subs.add(setList);
    setList(uploads);
    return () => void subs.delete(setList);
  }, []);
  return list;
}

const STATUS: Record<State, string> = { queued: 'Waiting', uploading: '', done: 'Done', failed: 'Failed' };

export function UploadsPanel() {
  const list = useUploads();
  if (list.length === 0) return null;
  const active = list.filter((u) => u.state === 'queued' || u.state === 'uploading').length;
  const finished = list.filter((u) => u.state === 'done');
  return (
    <section class="uploads" data-testid="uploads" aria-label="Uploads">
      <div class="uploads-head">
        <h2>{active ? `Uploading ${active} ${active === 1 ? 'file' : 'files'}` : 'Uploads'}</h2>
        <span class="spacer" />
        {finished.length > 0 && (
          <button type="button" class="btn small" data-testid="uploads-clear" onClick={() => finished.forEach(forget)}>
            Clear done
          </button>
        )}
      </div>
      <ul class="uploads-list">
        {list.map((u) => (
          <li key={u.key} class={`upload up-${u.state}`} data-testid="upload" data-name={u.name} data-state={u.state}>
            <div class="up-line">
              {u.state === 'done' ? (
                <a class="up-name" href={fileHref(u.ws, u.path)} title={u.path}>
                  {u.name}
                </a>
              ) : (
                <span class="up-name" title={u.path}>
                  {u.name}
                </span>
              )}
              <span class="up-status">
                {STATUS[u.state] ||
                  `${humanSize(u.sent)} of ${humanSize(u.size)} · ${Math.floor((100 * u.sent) / (u.size || 1))}%`}
              </span>
              {u.state === 'failed' && (
                <button type="button" class="btn small" data-testid="upload-retry" onClick={() => retry(u)}>
                  Retry
                </button>
              )}
              <button
                type="button"
                class="icon-btn"
                data-testid="upload-cancel"
                aria-label={`${u.state === 'done' ? 'Dismiss' : 'Cancel'} ${u.name}`}
                title={u.state === 'done' ? 'Dismiss' : 'Cancel'}
                onClick={() => (u.state === 'done' ? forget(u) : cancel(u))}
              >
                ×
              </button>
            </div>
            <progress
              max={u.size || 1}
              value={u.state === 'done' ? u.size || 1 : u.sent}
              aria-label={`${u.name}: ${u.state}`}
            />
            {u.error && <div class="up-error">{u.error}</div>}
          </li>
        ))}
      </ul>
    </section>
  );
}
