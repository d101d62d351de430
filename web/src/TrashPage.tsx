import { useEffect, useState } from 'preact/hooks';
import { api, isAbort, type TrashEntry } from './api';
import { humanSize, humanTime } from './format';
import { notify, useChanges } from './live';
import { useMessages } from './messages';
import { baseName, folderHref, parentPath } from './route';
import { useCanChange } from './server';

const newestFirst = (a: TrashEntry, b: TrashEntry) => b.deleted_ns - a.deleted_ns || b.id - a.id;

/** Restores the file deleted last from `path`, back where it was; answers where it went. */
export async function restoreLatest(ws: string, path: string): Promise<string> {
  const hit = (await api.trash(ws)).filter((t) => t.original_path === path).sort(newestFirst)[0];
  if (!hit) throw new Error(`${baseName(path)} is no longer in the trash`);
  return restore(ws, hit);
}

async function restore(ws: string, t: TrashEntry): Promise<string> {
  const r = await api.restoreTrash(ws, t.id);
  notify({ seq: 0, kind: 'restored', path: r.path, type: 'file' });
  return r.path;
}

/** role: the user's in the workspace (Restore is for those who may change files). */
export function TrashPage({ ws, role }: { ws: string; role: string }) {
  const messages = useMessages();
  const [entries, setEntries] = useState<TrashEntry[] | null>(null);
  const [reload, setReload] = useState(0);
  const [busy, setBusy] = useState<number | null>(null);
  const changes = useCanChange(role);

  useEffect(() => {
    const ac = new AbortController();
    api
      .trash(ws, ac.signal)
      .then((list) => setEntries(list.sort(newestFirst)))
      .catch((e) => {
        if (isAbort(e)) return;
        messages.error(e);
        setEntries((old) => old ?? []);
      });
    return () => ac.abort();
  }, [ws, reload]);

  useChanges((e) => {
    if (!e || e.kind === 'trashed' || e.kind === 'restored') setReload((r) => r + 1);
  });

  const onRestore = async (t: TrashEntry) => {
    setBusy(t.id);
    try {
      const path = await restore(ws, t);
      setEntries((list) => (list ? list.filter((x) => x.id !== t.id) : list));
      const dir = parentPath(path);
      messages.notice(`Restored ${path}`, { label: `Open ${dir || ws}`, testId: 'restored-folder', href: folderHref(ws, dir) });
    } catch (e) {
      messages.error(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="page trash-page" data-testid="trash-page">
      <div class="toolbar">
        <h1 class="page-title">Trash</h1>
        <span class="muted">
          {changes ? `Deleted files of ${ws}; restore puts a file back where it was.` : `Deleted files of ${ws}.`}
        </span>
        <span class="spacer" />
        {entries && (
          <span class="count" data-testid="trash-count">
            {entries.length} {entries.length === 1 ? 'file' : 'files'}
          </span>
        )}
      </div>
      <div class="table trash-table" role="table" aria-label="Deleted files">
        <div class="thead" role="row">
          <span class="th" role="columnheader">
            Original path
          </span>
          <span class="th c-size" role="columnheader">
            Size
          </span>
          <span class="th" role="columnheader">
            Deleted
          </span>
          <span class="th c-act" role="columnheader">
            <span class="sr-only">Actions</span>
          </span>
        </div>
        <div class="tbody" role="rowgroup">
          {!entries ? (
            <div class="empty">Loading…</div>
          ) : entries.length === 0 ? (
            <div class="empty" data-testid="trash-empty">
              The trash is empty
            </div>
          ) : (
            entries.map((t) => (
              <div class="row" role="row" key={t.id} data-testid="trash-entry" data-path={t.original_path} data-id={t.id}>
                <span class="c-name" role="cell" title={t.original_path}>
                  <span class="name">{t.original_path}</span>
                </span>
                <span class="c-size" role="cell">
                  {humanSize(t.size)}
                </span>
                <span class="c-mtime" role="cell" title={t.deleted}>
                  {humanTime(t.deleted)}
                </span>
                <span class="c-act" role="cell">
                  {changes && (
                    <button
                      type="button"
                      class="btn small"
                      data-testid="trash-restore"
                      aria-label={`Restore ${t.original_path}`}
                      disabled={busy !== null}
                      onClick={() => onRestore(t)}
                    >
                      Restore
                    </button>
                  )}
                </span>
              </div>
            ))
          )}
        </div>
      </div>
    </div>
  );
}
