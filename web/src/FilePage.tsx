import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, contentUrl, thumbnailUrl, type Stat, type Version } from './api';
import { forgetPlacement } from './Badges';
import { Breadcrumbs } from './Breadcrumbs';
import { humanSize, humanTime, typeBadge } from './format';
import { InstancePanel } from './Instances';
import { useChanges } from './live';
import { useMessages } from './messages';
import { baseName, fileHref, folderHref, navigate, parentPath, trashHref } from './route';
import { Preview } from './Preview';
import { useCanChange, useTeam, useUploadsAndTiers } from './server';
import { TiersPanel } from './Tiers';

const PUBLISHED: Record<string, { label: string; title: string }> = {
  yes: { label: 'published', title: 'Published to the cloud tier' },
  pending: { label: 'publishing', title: 'Being published to the cloud tier' },
  no: { label: 'not published', title: 'Kept on this machine or the edge' },
};

/** role: the user's in the workspace (restores, checkpoints and the team server's instance
 * tasks are for writers). */
export function FilePage({ ws, path, role }: { ws: string; path: string; role: string }) {
  const messages = useMessages();
  // Checkpoints and restores for those who may change files; tiers on a drive, its instances on
  // the team server (server.ts).
  const changes = useCanChange(role);
  const tiers = useUploadsAndTiers();
  const team = useTeam();
  const [stat, setStat] = useState<Stat | null>(null);
  const [versions, setVersions] = useState<Version[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [reload, setReload] = useState(0);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [failed, setFailed] = useState(false);
  const name = baseName(path);
  // The versions this page has shown or made: any other new one is announced.
  const known = useRef<Set<number> | null>(null);
  const making = useRef(0); // requests of this page that make a version
  const movedTo = useRef<string | null>(null); // where a rename took the file, if it did
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => {
    const ac = new AbortController();
    Promise.all([api.stat(ws, path, ac.signal), api.versions(ws, path, ac.signal)])
      .then(([s, v]) => {
        if (ac.signal.aborted) return;
        if (s.type === 'directory') {
          navigate(folderHref(ws, path), true);
          return;
        }
        const seen = known.current;
        const fresh = seen ? v.filter((x) => !seen.has(x.number)) : [];
        const all = (known.current = seen ?? new Set());
        v.forEach((x) => all.add(x.number));
        if (fresh.length && !making.current) messages.notice(`${name} changed: version ${fresh[fresh.length - 1].number}`);
        movedTo.current = null;
        setStat(s);
        setVersions(v);
        setFailed(false);
      })
      .catch((e) => {
        if (ac.signal.aborted) return;
        setFailed(true);
        if (!(e instanceof ApiError && e.status === 404 && known.current)) return messages.error(e);
        // It was here: renamed (the page follows it), or deleted.
        if (movedTo.current) return navigate(fileHref(ws, movedTo.current), true);
        setStat(null);
        messages.notice(`${name} was deleted or moved away`, { label: 'Open the trash', href: trashHref(ws) });
      });
    return () => ac.abort();
  }, [ws, path, reload]);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  // A change of the file: look again once the changes around it are done (a file saved by
  // renaming a new one over it is removed, then back at once).
  useChanges((e) => {
    if (e && e.kind === 'renamed' && e.old_path === path) movedTo.current = e.path;
    if (!e || e.path === path || e.old_path === path) {
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => setReload((r) => r + 1), 150);
    }
  });

  const newestFirst = versions ? versions.slice().reverse() : [];
  const current = stat && stat.version > 0 ? stat.version : newestFirst.length ? newestFirst[0].number : 0;
  const shownNumber = selected ?? current;
  const shown = versions?.find((v) => v.number === shownNumber) ?? null;

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    making.current++;
    try {
      await what();
    } catch (e) {
      messages.error(e);
    } finally {
      setBusy(false);
      making.current--;
    }
  };

  const restore = (n: number) =>
    run(async () => {
      const v = await api.restore(ws, path, n);
      known.current?.add(v.number);
      messages.notice(`Restored version ${n} as version ${v.number}`);
      setSelected(null);
      setReload((r) => r + 1);
    });

  const checkpoint = () =>
    run(async () => {
      const v = await api.save(ws, path, message.trim());
      known.current?.add(v.number);
      messages.notice(`Saved checkpoint as version ${v.number}`);
      setMessage('');
      setSelected(null);
      setReload((r) => r + 1);
    });

  const badge = typeBadge(stat?.type ?? 'file', name);
  const isRegular = !stat || stat.type === 'file';
  const previewUrl = contentUrl(ws, path, shownNumber || undefined);
  const downloadUrl = contentUrl(ws, path, shownNumber || undefined, true);
  const stillUrl = thumbnailUrl(ws, path, shownNumber || undefined);

  return (
    <div class="page file-page" data-testid="file-page" data-path={path}>
      <div class="toolbar">
        <Breadcrumbs ws={ws} path={parentPath(path)} current={false} />
      </div>
      <div class="file-head">
        <span class={`badge big t-${badge.cls}`} title={badge.title}>
          {badge.label}
        </span>
        <div class="file-title">
          <h1 data-testid="file-name" title={path}>
            {name}
          </h1>
          {stat && (
            <div class="file-meta">
              <span data-testid="file-size">{humanSize(stat.size)}</span>
              <span data-testid="current-version" data-number={current}>
                {current ? `version ${current}` : 'no version yet'}
              </span>
              <span title={stat.mtime}>modified {humanTime(stat.mtime)}</span>
              {stat.user && <span>by {stat.user}</span>}
            </div>
          )}
        </div>
        <span class="spacer" />
        {stat && isRegular && (
          <a class="btn" href={contentUrl(ws, path, current || undefined, true)} download={name} data-testid="download-current">
            Download
          </a>
        )}
      </div>
      <div class="file-body">
        <div class="file-main">
          {!stat ? (
            <div class="placeholder">{failed ? 'Cannot open this file.' : 'Loading…'}</div>
          ) : !isRegular ? (
            <div class="no-preview">
              <p>This is a {badge.title.toLowerCase()}: it has no content to show.</p>
            </div>
          ) : (
            <Preview
              name={name}
              url={previewUrl}
              thumbnailUrl={stillUrl}
              downloadUrl={downloadUrl}
              size={shown ? shown.size : stat.size}
              label={
                shownNumber
                  ? `Version ${shownNumber}${shownNumber === current ? ' (current)' : ''}`
                  : 'Current content'
              }
            />
          )}
        </div>
        <aside class="file-side">
          {changes && (
            <form
              class="checkpoint"
              onSubmit={(e) => {
                e.preventDefault();
                if (!busy) checkpoint();
              }}
            >
              <label for="checkpoint-message">Checkpoint</label>
              <div class="checkpoint-row">
                <input
                  id="checkpoint-message"
                  type="text"
                  placeholder="What changed?"
                  data-testid="checkpoint-message"
                  value={message}
                  maxLength={500}
                  onInput={(e) => setMessage((e.currentTarget as HTMLInputElement).value)}
                />
                <button type="submit" class="btn primary" data-testid="checkpoint" disabled={busy || !stat}>
                  Save
                </button>
              </div>
            </form>
          )}
          {team && stat && isRegular && !failed && <InstancePanel ws={ws} path={path} name={name} role={role} />}
          {tiers && isRegular && !failed && (
            <TiersPanel
              ws={ws}
              path={path}
              name={name}
              tick={reload}
              onPublished={() => setReload((r) => r + 1)}
              onPlaced={() => forgetPlacement(ws, path)}
            />
          )}
          <h2 class="side-title">
            Versions <span class="muted">{versions ? versions.length : ''}</span>
          </h2>
          <ol class="versions" data-testid="versions" data-count={versions ? versions.length : 0}>
            {versions && versions.length === 0 && <li class="empty">No versions yet</li>}
            {newestFirst.map((v) => (
              <VersionRow
                key={v.number}
                ws={ws}
                path={path}
                name={name}
                v={v}
                isCurrent={v.number === current}
                isShown={v.number === shownNumber}
                busy={busy}
                canRestore={changes}
                onPreview={() => setSelected(v.number)}
                onRestore={() => restore(v.number)}
              />
            ))}
          </ol>
        </aside>
      </div>
    </div>
  );
}

interface RowProps {
  ws: string;
  path: string;
  name: string;
  v: Version;
  isCurrent: boolean;
  isShown: boolean;
  busy: boolean;
  /** Whether Restore shows (server.ts's canChange). */
  canRestore: boolean;
  onPreview: () => void;
  onRestore: () => void;
}

function VersionRow({ ws, path, name, v, isCurrent, isShown, busy, canRestore, onPreview, onRestore }: RowProps) {
  const pub = PUBLISHED[v.published] ?? { label: v.published, title: '' };
  return (
    <li
      class={`version${isShown ? ' shown' : ''}${isCurrent ? ' current' : ''}`}
      data-testid="version"
      data-number={v.number}
      data-kind={v.kind}
      data-current={isCurrent ? 'yes' : 'no'}
    >
      <div class="v-line">
        <span class="v-number">v{v.number}</span>
        <span class={`kind kind-${v.kind}`} data-testid="version-kind">
          {v.kind}
        </span>
        {isCurrent && <span class="pill current-pill">current</span>}
        <span class="spacer" />
        <span class={`pill pub-${v.published}`} title={pub.title} data-testid="version-published">
          {pub.label}
        </span>
      </div>
      <div class="v-line v-sub">
        <span title={v.created}>{humanTime(v.created)}</span>
        <span class="dot">·</span>
        <span data-testid="version-author">{v.author || '—'}</span>
        <span class="dot">·</span>
        <span>{humanSize(v.size)}</span>
      </div>
      {v.message && (
        <div class="v-message" data-testid="version-message">
          {v.message}
        </div>
      )}
      <div class="v-actions">
        <button
          type="button"
          class="btn small"
          data-testid="preview-version"
          aria-pressed={isShown}
          onClick={onPreview}
        >
          Preview
        </button>
        <a class="btn small" href={contentUrl(ws, path, v.number, true)} download={name} data-testid="download">
          Download
        </a>
        {canRestore && !isCurrent && (
          <button type="button" class="btn small" data-testid="restore" disabled={busy} onClick={onRestore}>
            Restore
          </button>
        )}
      </div>
    </li>
  );
}
