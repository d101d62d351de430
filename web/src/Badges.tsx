// The folder page's tier badges: where each file's bytes are (this machine, the edge, the cloud)
// and whether its current version is published. Only the rows in view are asked for, in one
// POST placement per change of them (debounced), and each row's badges re-render alone when
// their answer comes. The answers are kept while the folder (or a file page in it) shows.
import { useEffect, useState } from 'preact/hooks';
import { api, isAbort, type PathPlacement } from './api';
import { humanSize } from './format';
import { subscribe } from './live';
import { parentPath, parseHash, routeWorkspace } from './route';
import { hasTiers, unsupported } from './Tiers';

type Usage = Exclude<PathPlacement, { error: string }>;
/** A path's placement, or null when the drive could not say (it is not asked again). */
type Known = Usage | null;

const MAX_PATHS = 500; // of one request, as the server takes
const DEBOUNCE_MS = 100;
const FIELDS = [
  'files',
  'total_bytes',
  'local_bytes',
  'edge_bytes',
  'cloud_bytes',
  'pinned_files',
  'published_files',
  'publishing_files',
] as const;

const same = (a: Known | undefined, b: Known) => a === b || (!!a && !!b && FIELDS.every((k) => a[k] === b[k]));

/** The placements of one folder's files: a cache by path, the requests for the rows in view. */
export class Placements {
  private known = new Map<string, Known>();
  private stale = new Set<string>(); // known, but changed since: asked again when in view
  private asked = new Map<string, number>(); // path -> the request under way for it
  private rows = new Map<string, Set<(k: Known) => void>>();
  private requests = new Set<AbortController>();
  private visible: (() => string[]) | null = null;
  private told: ((has: boolean) => void) | null = null;
  private timer: number | undefined;
  private batch = 0;
  private closed = false;
  private stop: () => void;

  constructor(
    readonly ws: string,
    readonly dir: string,
  ) {
    const unsubscribe = subscribe((e) => {
      if (!e) return this.forget();
      for (const p of [e.path, e.old_path]) if (p && parentPath(p) === dir) this.forget(p);
    });
    // Leaving the folder drops it; a file page of the folder keeps it for the way back.
    const onHash = () => {
      const r = parseHash(location.hash);
      const here = r.kind === 'folder' ? r.path === dir : r.kind === 'file' && parentPath(r.path) === dir;
      if (routeWorkspace(r) !== ws || !here) this.close();
    };
    window.addEventListener('hashchange', onHash);
    this.stop = () => {
      unsubscribe();
      window.removeEventListener('hashchange', onHash);
    };
  }

  get(path: string): Known | undefined {
    return this.known.get(path);
  }

  /** Calls `fn` with each new placement of `path` (one row). */
  watch(path: string, fn: (k: Known) => void): () => void {
    let set = this.rows.get(path);
    if (!set) this.rows.set(path, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (!set.size) this.rows.delete(path);
    };
  }

  /** The folder page shows: `visible` lists the paths of the files in view; `told` is told
   * whether the drive has tiers once that is known (before any request for badges). */
  show(visible: () => string[], told: (has: boolean) => void): void {
    this.visible = visible;
    this.told = told;
    this.want();
  }

  hide(visible: () => string[]): void {
    if (this.visible !== visible) return;
    this.visible = this.told = null;
    window.clearTimeout(this.timer);
  }

  /** The rows in view (or what they show) changed: asks for what is not known, soon. */
  want(): void {
    if (this.closed || !this.visible) return;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.ask(), DEBOUNCE_MS);
  }

  /** `path` changed (or, without one, anything may have): asked again when in view. */
  forget(path?: string): void {
    for (const p of path === undefined ? this.known.keys() : [path]) if (this.known.has(p)) this.stale.add(p);
    if (path === undefined) this.asked.clear();
    else this.asked.delete(path); // an answer under way may be from before the change
    this.want();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop();
    window.clearTimeout(this.timer);
    this.requests.forEach((ac) => ac.abort());
    this.known.clear();
    this.rows.clear();
    if (current === this) current = null;
  }

  private async ask(): Promise<void> {
    let has: boolean;
    try {
      has = await hasTiers(this.ws);
    } catch {
      return; // cannot tell now: the next change of the rows in view asks again
    }
    if (this.closed || !this.visible) return;
    this.told?.(has);
    if (!has) return;
    const paths = this.visible()
      .filter((p) => (!this.known.has(p) || this.stale.has(p)) && !this.asked.has(p))
      .slice(0, MAX_PATHS);
    if (!paths.length) return;
    const id = ++this.batch;
    for (const p of paths) this.asked.set(p, id);
    const ac = new AbortController();
    this.requests.add(ac);
    try {
      const got = await api.placements(this.ws, paths, ac.signal);
      for (const p of paths) {
        if (this.asked.get(p) !== id) continue; // forgotten meanwhile: asked again
        this.asked.delete(p);
        this.stale.delete(p);
        const v = got[p];
        const k = v && !('error' in v) ? v : null;
        const old = this.known.get(p);
        this.known.set(p, k);
        if (!same(old, k)) this.rows.get(p)?.forEach((fn) => fn(k));
      }
      if (paths.length === MAX_PATHS) this.want(); // more in view than one request takes
    } catch (e) {
      for (const p of paths) if (this.asked.get(p) === id) this.asked.delete(p);
      // A background figure: nothing to say when it cannot be read (the listing says why).
      if (!isAbort(e)) unsupported(this.ws, e);
    } finally {
      this.requests.delete(ac);
    }
  }
}

let current: Placements | null = null;

/** The placements of folder `dir`: those kept since it was last shown, or a new cache. */
export function placementsOf(ws: string, dir: string): Placements {
  if (current && current.ws === ws && current.dir === dir) return current;
  current?.close();
  return (current = new Placements(ws, dir));
}

/** Where the bytes of `path` are is changing (a place action): the folder asks again when shown. */
export function forgetPlacement(ws: string, path: string): void {
  if (current && current.ws === ws && current.dir === parentPath(path)) current.forget(path);
}

/** A file row's badges: nothing until its placement is known, none for an empty file. */
export function Badges({ store, path }: { store: Placements; path: string }) {
  const [p, setP] = useState(() => store.get(path));
  useEffect(() => {
    setP(store.get(path));
    return store.watch(path, setP);
  }, [store, path]);
  if (!p) return null;
  const total = p.total_bytes;
  const size = humanSize(total);
  const local = total > 0 && p.local_bytes >= total ? 'all' : p.local_bytes > 0 ? 'part' : 'none';
  const edge = total > 0 && p.edge_bytes >= total;
  const cloud = total > 0 && p.cloud_bytes >= total;
  const pub = p.publishing_files > 0 ? 'pending' : p.files > 0 && p.published_files >= p.files ? 'yes' : 'no';
  const pinned = p.pinned_files > 0 ? ', pinned' : '';
  return (
    <span
      class="where"
      data-testid="badges"
      data-local={local}
      data-edge={edge ? 'yes' : 'no'}
      data-cloud={cloud ? 'yes' : 'no'}
      data-published={pub}
    >
      {total > 0 && (
        <>
          {local !== 'none' && (
            <span
              class={`tb tb-local${local === 'part' ? ' part' : ''}`}
              title={
                local === 'all'
                  ? `All ${size} on this machine${pinned}`
                  : `${humanSize(p.local_bytes)} of ${size} on this machine${pinned}`
              }
            >
              local
            </span>
          )}
          {edge && (
            <span class="tb tb-edge" title={`All ${size} on the edge`}>
              edge
            </span>
          )}
          {cloud && (
            <span class="tb tb-cloud" title={`All ${size} on the cloud`}>
              cloud
            </span>
          )}
          {pub !== 'no' && (
            <span
              class={`tb tb-pub${pub === 'pending' ? ' pending' : ''}`}
              title={pub === 'yes' ? 'Its current version is published' : 'Its current version is being published'}
            >
              {pub === 'yes' ? 'published' : 'publishing'}
            </span>
          )}
        </>
      )}
    </span>
  );
}
