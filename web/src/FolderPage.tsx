import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, isAbort, type Entry } from './api';
import { Badges, placementsOf, type Placements } from './Badges';
import { Breadcrumbs } from './Breadcrumbs';
import { compareNames, humanSize, humanTime, typeBadge } from './format';
import { notify, useChanges } from './live';
import { useMessages } from './messages';
import { baseName, fileHref, folderHref, joinPath, navigate, parentPath, trashHref } from './route';
import { useCanChange, useUploadsAndTiers } from './server';
import { TransfersIndicator } from './Tiers';
import { restoreLatest } from './TrashPage';
import { upload } from './Uploads';
import { VirtualList } from './VirtualList';

const ROW_HEIGHT = 32;

type SortKey = 'name' | 'size' | 'mtime' | 'user';
interface Sort {
  key: SortKey;
  dir: 1 | -1;
}

const COLUMNS: { key: SortKey; label: string; cls: string }[] = [
  { key: 'name', label: 'Name', cls: 'c-name' },
  { key: 'size', label: 'Size', cls: 'c-size' },
  { key: 'mtime', label: 'Modified', cls: 'c-mtime' },
  { key: 'user', label: 'By', cls: 'c-user' },
];

const mtimeOf = (e: Entry) => (typeof e.mtime_ns === 'number' ? e.mtime_ns : Date.parse(e.mtime) * 1e6 || 0);

function comparator(sort: Sort): (a: Entry, b: Entry) => number {
  const byKey = (a: Entry, b: Entry): number => {
    switch (sort.key) {
      case 'size':
        return a.size - b.size;
      case 'mtime':
        return mtimeOf(a) - mtimeOf(b);
      case 'user':
        return compareNames(a.user || '', b.user || '');
      default:
        return 0;
    }
  };
  return (a, b) => {
    const da = a.type === 'directory' ? 0 : 1;
    const db = b.type === 'directory' ? 0 : 1;
    if (da !== db) return da - db; // folders first, whatever the order
    const c = byKey(a, b) || compareNames(a.name, b.name);
    return c * sort.dir;
  };
}

function entryHref(ws: string, dir: string, e: Entry): string | null {
  const p = joinPath(dir, e.name);
  if (e.type === 'directory') return folderHref(ws, p);
  if (e.type === 'file') return fileHref(ws, p);
  return null;
}

/** role: the user's in the workspace (a reader is shown no controls that change files). */
export function FolderPage({ ws, path, role }: { ws: string; path: string; role: string }) {
  const messages = useMessages();
  // New folder, Rename and Delete for those who may change files; uploads, the transfers
  // indicator and the tier badges on a drive only (server.ts).
  const changes = useCanChange(role);
  const drive = useUploadsAndTiers();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [done, setDone] = useState(false);
  const [failed, setFailed] = useState(false);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<Sort>({ key: 'name', dir: 1 });
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [kick, setKick] = useState(0); // the transfers indicator looks again when it changes
  const filterRef = useRef<HTMLInputElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const loading = useRef<AbortController | null>(null);
  const reloadTimer = useRef<number | undefined>(undefined);
  const dragDepth = useRef(0);
  // Tier badges of the files in view: the list's rows (with overscan), asked for as they change.
  const [badges] = useState(() => (drive ? placementsOf(ws, path) : null));
  const [tiers, setTiers] = useState<boolean | null>(null); // whether the drive has tiers, once known
  const inView = useRef({ first: 0, last: 0, rows: [] as Entry[] });

  // The first listing shows its pages as they come; a reload (a change) replaces the list once
  // it has it whole, so the rows, the scroll position and the filter stay put meanwhile.
  const load = (first: boolean) => {
    loading.current?.abort();
    const ac = (loading.current = new AbortController());
    api
      .listAll(ws, path, first ? setEntries : () => {}, ac.signal)
      .then((list) => {
        setEntries(list);
        setFailed(false);
        setDone(true);
        // A change here (an upload, a save, a move...) may have queued transfers.
        if (!first) setKick((k) => k + 1);
      })
      .catch((e) => {
        if (isAbort(e)) return;
        messages.error(e);
        setFailed(true);
        setDone(true);
      });
  };
  const reload = () => {
    window.clearTimeout(reloadTimer.current);
    reloadTimer.current = window.setTimeout(() => load(false), 150);
  };

  useEffect(() => {
    load(true);
    return () => {
      window.clearTimeout(reloadTimer.current);
      loading.current?.abort();
    };
  }, [ws, path]);

  const here = (p?: string) => !!p && parentPath(p) === path;
  useChanges((e) => {
    if (!e) return reload();
    if (path && e.kind === 'renamed' && e.old_path === path) navigate(folderHref(ws, e.path), true);
    else if (here(e.path) || here(e.old_path) || (path && e.path === path)) reload();
  });

  // "/" focuses the filter box; files dropped beside the drop zone are not opened by the browser.
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      const t = ev.target as HTMLElement | null;
      if (ev.key === '/' && !(t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA'))) {
        ev.preventDefault();
        filterRef.current?.focus();
      }
    };
    const refuse = (ev: DragEvent) => {
      if (hasFiles(ev) && !ev.defaultPrevented) {
        ev.preventDefault();
        if (ev.dataTransfer) ev.dataTransfer.dropEffect = 'none';
      }
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('dragover', refuse);
    window.addEventListener('drop', refuse);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('dragover', refuse);
      window.removeEventListener('drop', refuse);
    };
  }, []);

  const sorted = useMemo(() => entries.slice().sort(comparator(sort)), [entries, sort]);
  const q = filter.trim().toLowerCase();
  const shown = useMemo(() => (q ? sorted.filter((e) => e.name.toLowerCase().includes(q)) : sorted), [sorted, q]);
  inView.current.rows = shown;

  useEffect(() => {
    if (!badges) return undefined;
    const visible = () => {
      const { first, last, rows } = inView.current;
      const paths: string[] = [];
      for (let i = first; i < Math.min(last, rows.length); i++) {
        if (rows[i].type === 'file') paths.push(joinPath(path, rows[i].name));
      }
      return paths;
    };
    badges.show(visible, setTiers);
    return () => badges.hide(visible);
  }, []);
  useEffect(() => badges?.want(), [shown]);

  const toggleSort = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 1 ? -1 : 1 } : { key, dir: 1 }));

  /** Puts `e` in the list in place of `old` (a name), or only removes `old`. */
  const replace = (old: string | null, e: Entry | null) => {
    loading.current?.abort(); // a listing from before the change; the change reloads it
    setEntries((list) => {
      const rest = list.filter((x) => x.name !== old && x.name !== e?.name);
      return e ? rest.concat(e) : rest;
    });
  };

  const makeFolder = async (name: string) => {
    const p = joinPath(path, name);
    try {
      const e = await api.makeFolder(ws, p);
      replace(null, e);
      setCreating(false);
      notify({ seq: 0, kind: 'created', path: p, type: 'directory' });
    } catch (err) {
      messages.error(err);
    }
  };

  /** Renames `e` to `to`: a name in this folder, or with a '/' a path from the workspace root. */
  const rename = async (e: Entry, to: string): Promise<boolean> => {
    to = to.trim();
    if (!to || to === e.name) return true;
    const from = joinPath(path, e.name);
    if (to.includes('/')) to = (to.endsWith('/') ? to + e.name : to).replace(/^\/+/, '');
    else to = joinPath(path, to);
    try {
      const moved = await api.move(ws, from, to);
      const dir = parentPath(to);
      replace(e.name, dir === path ? moved : null);
      if (dir !== path) messages.notice(`Moved ${e.name} to ${to}`, { label: 'Open the folder', href: folderHref(ws, dir) });
      notify({ seq: 0, kind: 'renamed', path: to, old_path: from, type: e.type });
      return true;
    } catch (err) {
      messages.error(err);
      return false;
    }
  };

  const remove = async (e: Entry) => {
    const p = joinPath(path, e.name);
    try {
      const r = await api.remove(ws, p);
      replace(e.name, null);
      notify({ seq: 0, kind: e.type === 'directory' ? 'removed' : 'trashed', path: p, type: e.type });
      if (e.type === 'directory') {
        messages.notice(
          `Deleted ${e.name}${r.trashed ? `: ${r.trashed} ${r.trashed === 1 ? 'file' : 'files'} moved to the trash` : ''}`,
          r.trashed ? { label: 'Open the trash', href: trashHref(ws) } : undefined,
        );
      } else if (r.trashed) {
        messages.notice(`Moved ${e.name} to the trash`, { label: 'Undo', testId: 'undo', run: () => undo(p) });
      } else {
        messages.notice(`Deleted ${e.name}`);
      }
    } catch (err) {
      messages.error(err);
    }
  };

  const undo = async (p: string) => {
    try {
      const back = await restoreLatest(ws, p);
      messages.notice(`Restored ${baseName(back)}`);
    } catch (err) {
      messages.error(err);
    }
  };

  const take = (files: File[]) => {
    if (files.length) upload(ws, path, files);
  };

  const dropped = (dt: DataTransfer) => {
    const files: File[] = [];
    const folders: string[] = [];
    for (const item of Array.from(dt.items)) {
      const f = item.kind === 'file' ? item.getAsFile() : null;
      if (!f) continue;
      if (item.webkitGetAsEntry?.()?.isDirectory) folders.push(f.name);
      else files.push(f);
    }
    if (folders.length) messages.error(`Folders cannot be uploaded, only files: ${folders.join(', ')}`);
    take(files);
  };

  const total = entries.length;
  const countText = `${q ? `${shown.length.toLocaleString('en-US')} of ` : ''}${total.toLocaleString('en-US')} ${
    total === 1 ? 'entry' : 'entries'
  }${done ? '' : '…'}`;

  return (
    <div
      class="page folder-page"
      data-testid="folder-page"
      data-path={path}
      data-tiers={!drive ? 'no' : tiers === null ? 'unknown' : tiers ? 'yes' : 'no'}
    >
      <div
        class={`drop-zone${dragging ? ' dragging' : ''}`}
        data-testid="drop-zone"
        onDragEnter={(ev) => {
          if (!drive || !hasFiles(ev)) return;
          ev.preventDefault();
          dragDepth.current++;
          setDragging(true);
        }}
        onDragOver={(ev) => {
          if (!drive || !hasFiles(ev)) return;
          ev.preventDefault();
          if (ev.dataTransfer) ev.dataTransfer.dropEffect = 'copy';
          setDragging(true);
        }}
        onDragLeave={(ev) => {
          if (!drive || !hasFiles(ev)) return;
          dragDepth.current = Math.max(0, dragDepth.current - 1);
          if (dragDepth.current === 0) setDragging(false);
        }}
        onDrop={(ev) => {
          if (!drive || !hasFiles(ev)) return;
          ev.preventDefault();
          dragDepth.current = 0;
          setDragging(false);
          if (ev.dataTransfer) dropped(ev.dataTransfer);
        }}
      >
        <div class="toolbar">
          <Breadcrumbs ws={ws} path={path} />
          <span class="spacer" />
          {drive && <TransfersIndicator ws={ws} kick={kick} onIdle={() => badges?.forget()} />}
          <span
            class="count"
            data-testid="entry-count"
            data-total={total}
            data-shown={shown.length}
            data-complete={done ? 'yes' : 'no'}
          >
            {countText}
          </span>
          <input
            ref={filterRef}
            class="filter"
            type="search"
            placeholder="Filter by name  /"
            aria-label="Filter by name"
            data-testid="filter"
            value={filter}
            onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setFilter('');
            }}
          />
          {changes &&
            (creating ? (
              <NameForm
                label="New folder name"
                testId="new-folder-name"
                submitLabel="Create"
                submitTestId="new-folder-create"
                initial=""
                onSubmit={(name) => (name.trim() ? makeFolder(name.trim()) : setCreating(false))}
                onCancel={() => setCreating(false)}
              />
            ) : (
              <button type="button" class="btn" data-testid="new-folder" onClick={() => setCreating(true)}>
                New folder
              </button>
            ))}
          {drive && (
            <>
              <input
                ref={fileRef}
                type="file"
                multiple
                hidden
                aria-label="Files to upload"
                data-testid="upload-input"
                onChange={(e) => {
                  const el = e.currentTarget as HTMLInputElement;
                  const files = Array.from(el.files ?? []);
                  el.value = '';
                  take(files);
                }}
              />
              <button
                type="button"
                class="btn primary"
                data-testid="upload-button"
                onClick={() => fileRef.current?.click()}
              >
                Upload
              </button>
            </>
          )}
        </div>
        <div class="table">
          <div class="thead" role="row">
            {COLUMNS.map((c) => (
              <button
                type="button"
                class={`th ${c.cls}${sort.key === c.key ? ' sorted' : ''}`}
                data-testid={`sort-${c.key}`}
                aria-sort={sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
                onClick={() => toggleSort(c.key)}
              >
                {c.label}
                <span class="sort-arrow" aria-hidden="true">
                  {sort.key === c.key ? (sort.dir === 1 ? '▲' : '▼') : ''}
                </span>
              </button>
            ))}
            <span class="th c-act" aria-hidden="true" />
          </div>
          <VirtualList
            testId="list"
            count={shown.length}
            rowHeight={ROW_HEIGHT}
            resetKey={`${q}|${sort.key}|${sort.dir}`}
            onRange={(first, last) => {
              Object.assign(inView.current, { first, last });
              badges?.want();
            }}
            empty={
              <div class="empty">
                {!done
                  ? 'Loading…'
                  : failed
                    ? 'Cannot list this folder.'
                    : q
                      ? `Nothing matches “${filter.trim()}”`
                      : drive
                        ? 'This folder is empty: drop files here or use Upload'
                        : 'This folder is empty'}
              </div>
            }
            renderRow={(i, top) => {
              const e = shown[i];
              return (
                <Row
                  key={e.name}
                  ws={ws}
                  dir={path}
                  entry={e}
                  badges={badges}
                  canChange={changes}
                  top={top}
                  renaming={renaming === e.name}
                  onRename={() => setRenaming(e.name)}
                  onRenamed={async (to) => {
                    if (to === null || (await rename(e, to))) setRenaming(null);
                  }}
                  onDelete={() => remove(e)}
                />
              );
            }}
          />
        </div>
        {dragging && (
          <div class="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
            <span>Drop files to upload them to {path ? baseName(path) : ws}</span>
          </div>
        )}
      </div>
    </div>
  );
}

function hasFiles(ev: DragEvent): boolean {
  return !!ev.dataTransfer && Array.from(ev.dataTransfer.types).includes('Files');
}

interface NameFormProps {
  label: string;
  testId: string;
  submitLabel?: string;
  submitTestId?: string;
  initial: string;
  onSubmit: (name: string) => unknown;
  onCancel: () => void;
}

/** A name input that takes the focus: Enter submits, Escape cancels. */
function NameForm({ label, testId, submitLabel, submitTestId, initial, onSubmit, onCancel }: NameFormProps) {
  const ref = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  // At once, before anything is typed: the selection must not change under the typing.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    const dot = initial.lastIndexOf('.');
    el.setSelectionRange(0, dot > 0 ? dot : initial.length); // the name without its extension
  }, []);
  const submit = async () => {
    if (busy) return;
    setBusy(true);
    try {
      await onSubmit(ref.current?.value ?? '');
    } finally {
      setBusy(false);
      ref.current?.focus();
    }
  };
  return (
    <form
      class="name-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <input
        ref={ref}
        type="text"
        aria-label={label}
        placeholder={label}
        data-testid={testId}
        defaultValue={initial}
        readOnly={busy}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          }
        }}
      />
      {submitLabel && (
        <>
          <button type="submit" class="btn primary" data-testid={submitTestId} disabled={busy}>
            {submitLabel}
          </button>
          <button type="button" class="btn" onClick={onCancel}>
            Cancel
          </button>
        </>
      )}
    </form>
  );
}

interface RowProps {
  ws: string;
  dir: string;
  entry: Entry;
  /** null: no tier badges (the team server). */
  badges: Placements | null;
  /** Whether Rename and Delete show (server.ts's canChange). */
  canChange: boolean;
  top: number;
  renaming: boolean;
  onRename: () => void;
  onRenamed: (to: string | null) => void;
  onDelete: () => void;
}

function Row({ ws, dir, entry: e, badges, canChange, top, renaming, onRename, onRenamed, onDelete }: RowProps) {
  const href = entryHref(ws, dir, e);
  const badge = typeBadge(e.type, e.name);
  const isDir = e.type === 'directory';
  return (
    <div
      class={`row${href ? ' link' : ''}${badge.cls === 'special' ? ' special' : ''}`}
      role="row"
      data-testid="entry"
      data-name={e.name}
      data-type={e.type}
      data-size={e.size}
      style={{ top: `${top}px` }}
      onClick={(ev) => {
        if (href && !renaming && !(ev.target as HTMLElement).closest('a, button, input')) navigate(href);
      }}
    >
      <span class="c-name" role="cell">
        <span class={`badge t-${badge.cls}`} title={badge.title}>
          {badge.label}
        </span>
        {renaming ? (
          <NameForm
            label={`New name of ${e.name} (a path with / moves it)`}
            testId="rename-input"
            initial={e.name}
            onSubmit={onRenamed}
            onCancel={() => onRenamed(null)}
          />
        ) : href ? (
          <a href={href} class="name" title={e.name}>
            {e.name}
            {isDir ? '/' : ''}
          </a>
        ) : (
          <span class="name" title={`${e.name} (${badge.title.toLowerCase()})`}>
            {e.name}
            <span class="type-note">{e.type.replace('_', ' ')}</span>
          </span>
        )}
        {badges && e.type === 'file' && <Badges store={badges} path={joinPath(dir, e.name)} />}
      </span>
      <span class="c-size" role="cell">
        {e.type === 'file' ? humanSize(e.size) : '—'}
      </span>
      <span class="c-mtime" role="cell" title={e.mtime}>
        {humanTime(e.mtime)}
      </span>
      <span class="c-user" role="cell">
        {e.user || '—'}
      </span>
      <span class="c-act" role="cell">
        {canChange && (
          <>
            <button
              type="button"
              class="row-btn"
              data-testid="rename"
              aria-label={`Rename ${e.name}`}
              onClick={onRename}
            >
              Rename
            </button>
            <button
              type="button"
              class="row-btn danger"
              data-testid="delete"
              aria-label={`Delete ${e.name}`}
              title={isDir ? 'Delete the folder and everything in it (its files go to the trash)' : 'Move to the trash'}
              onClick={onDelete}
            >
              Delete
            </button>
          </>
        )}
      </span>
    </div>
  );
}
