import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, type Entry } from './api';
import { Breadcrumbs } from './Breadcrumbs';
import { compareNames, humanSize, humanTime, typeBadge } from './format';
import { useMessages } from './messages';
import { fileHref, folderHref, joinPath, navigate } from './route';
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

export function FolderPage({ ws, path }: { ws: string; path: string }) {
  const messages = useMessages();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [done, setDone] = useState(false);
  const [failed, setFailed] = useState(false);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<Sort>({ key: 'name', dir: 1 });
  const filterRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const ac = new AbortController();
    api
      .listAll(ws, path, setEntries, ac.signal)
      .then(() => setDone(true))
      .catch((e) => {
        messages.error(e);
        if (!ac.signal.aborted) {
          setFailed(true);
          setDone(true);
        }
      });
    return () => ac.abort();
  }, [ws, path]);

  // "/" focuses the filter box.
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      const t = ev.target as HTMLElement | null;
      if (ev.key === '/' && !(t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA'))) {
        ev.preventDefault();
        filterRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const sorted = useMemo(() => entries.slice().sort(comparator(sort)), [entries, sort]);
  const q = filter.trim().toLowerCase();
  const shown = useMemo(() => (q ? sorted.filter((e) => e.name.toLowerCase().includes(q)) : sorted), [sorted, q]);

  const toggleSort = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 1 ? -1 : 1 } : { key, dir: 1 }));

  const total = entries.length;
  const countText = `${q ? `${shown.length.toLocaleString('en-US')} of ` : ''}${total.toLocaleString('en-US')} ${
    total === 1 ? 'entry' : 'entries'
  }${done ? '' : '…'}`;

  return (
    <div class="page folder-page" data-testid="folder-page" data-path={path}>
      <div class="toolbar">
        <Breadcrumbs ws={ws} path={path} />
        <span class="spacer" />
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
        </div>
        <VirtualList
          testId="list"
          count={shown.length}
          rowHeight={ROW_HEIGHT}
          resetKey={`${q}|${sort.key}|${sort.dir}`}
          empty={
            <div class="empty">{!done ? 'Loading…' : failed ? 'Cannot list this folder.' : q ? `Nothing matches “${filter.trim()}”` : 'This folder is empty'}</div>
          }
          renderRow={(i, top) => {
            const e = shown[i];
            return <Row key={e.name} ws={ws} dir={path} entry={e} top={top} />;
          }}
        />
      </div>
    </div>
  );
}

function Row({ ws, dir, entry: e, top }: { ws: string; dir: string; entry: Entry; top: number }) {
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
      style={{ top: `${top}px` }}
      onClick={(ev) => {
        if (href && !(ev.target as HTMLElement).closest('a')) navigate(href);
      }}
    >
      <span class="c-name" role="cell">
        <span class={`badge t-${badge.cls}`} title={badge.title}>
          {badge.label}
        </span>
        {href ? (
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
    </div>
  );
}
