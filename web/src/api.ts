// The drive's web API: same origin, JSON, session in an HttpOnly cookie.

export type EntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'fifo'
  | 'char_device'
  | 'block_device'
  | 'socket';

export interface Entry {
  name: string;
  type: EntryType | string;
  size: number;
  mtime_ns: number;
  mtime: string;
  version: number;
  mode: number;
  uid: number;
  user: string;
}

export interface Stat extends Entry {
  path: string;
}

export interface Version {
  id: number | string;
  number: number;
  created_ns: number;
  created: string;
  size: number;
  kind: string;
  message: string;
  chunk_count: number;
  published: string;
  author?: string;
}

/** Where the bytes of a file, or of everything under a folder, are (GET placement). */
export interface Placement {
  path: string;
  files: number;
  chunks: number;
  total_bytes: number;
  local_bytes: number;
  edge_bytes: number;
  cloud_bytes: number;
  pinned_files: number;
  published_files: number;
  publishing_files: number;
}

/** A file's placement in the answer of POST placement (keyed by path), or why it has none. */
export type PathPlacement = Omit<Placement, 'path'> | { error: string };

export type PlaceAction = 'publish' | 'hydrate' | 'evict' | 'pin' | 'unpin';

/** What a place request queued. */
export interface PlaceResult {
  path: string;
  action: PlaceAction;
  files: number;
  chunks: number;
  bytes: number;
}

/** The drive's transfer queue (between this machine and the edge and cloud tiers). */
export interface Transfers {
  paused: boolean;
  queued: number;
  running: number;
  waiting_retry: number;
  bytes_pending: number;
  completed: number;
  completed_bytes: number;
  failures: number;
  last_error: string;
}

export interface Workspace {
  name: string;
  role: string;
}

export interface TrashEntry {
  id: number;
  ino: number;
  original_path: string;
  deleted_ns: number;
  deleted: string;
  size: number;
}

/** One change of the drive's change feed; paths are from the workspace root. */
export interface ChangeEvent {
  seq: number;
  kind: string; // created, removed, trashed, renamed, restored, version, published, changed...
  path: string;
  old_path?: string;
  type?: string;
  version?: number;
}

interface EventPage {
  events: ChangeEvent[];
  newest: number;
  oldest: number;
}

export interface UploadState {
  id: string;
  path: string;
  size: number;
  received: number;
}

interface Listing {
  path: string;
  entries: Entry[];
  next: string | number | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

let unauthenticated: (() => void) | null = null;

/** Called whenever an answer is a 401 (the session is gone). */
export function onUnauthenticated(fn: () => void): void {
  unauthenticated = fn;
}

/** A request to the API; a Blob body is sent as bytes, any other body as JSON. */
async function call<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, signal, credentials: 'same-origin', cache: 'no-store' };
  if (body instanceof Blob) {
    headers['Content-Type'] = 'application/octet-stream';
    init.body = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    if (isAbort(e)) throw e;
    throw new ApiError(0, 'network', "Cannot reach the drive's web server.");
  }
  if (!res.ok) {
    let code = 'http_' + res.status;
    let message = `${res.status} ${res.statusText || 'error'}`;
    try {
      const j = (await res.json()) as { error?: { code?: string; message?: string } };
      if (j && j.error) {
        code = j.error.code || code;
        message = j.error.message || message;
      }
    } catch (e) {
      if (isAbort(e)) throw e;
    }
    if (res.status === 401 && unauthenticated && !url.startsWith('/v1/me')) unauthenticated();
    throw new ApiError(res.status, code, message);
  }
  return (await res.json()) as T;
}

const enc = encodeURIComponent;
const wsBase = (ws: string) => `/v1/workspaces/${enc(ws)}`;

/** URL of a file's bytes: the current version when `version` is absent or 0. */
export function contentUrl(ws: string, path: string, version?: number, download?: boolean): string {
  let u = `${wsBase(ws)}/content?path=${enc(path)}`;
  if (version) u += `&version=${version}`;
  if (download) u += '&download=1';
  return u;
}

export const api = {
  me: (signal?: AbortSignal) => call<{ user: string }>('GET', '/v1/me', undefined, signal),

  workspaces: (signal?: AbortSignal) =>
    call<{ workspaces: Workspace[] }>('GET', '/v1/workspaces', undefined, signal).then((r) => r.workspaces),

  /** Every entry of a folder, page after page; onProgress sees the entries so far after each page. */
  async listAll(
    ws: string,
    path: string,
    onProgress: (entries: Entry[]) => void,
    signal?: AbortSignal,
  ): Promise<Entry[]> {
    let all: Entry[] = [];
    let after: string | number | null = null;
    // A small first page shows the top of a big folder sooner; then large pages.
    let limit = 1000;
    for (;;) {
      let u = `${wsBase(ws)}/files?path=${enc(path)}&limit=${limit}`;
      if (after !== null) u += `&after=${enc(String(after))}`;
      const page: Listing = await call<Listing>('GET', u, undefined, signal);
      all = all.concat(page.entries);
      onProgress(all);
      if (page.next === null || page.next === undefined || page.entries.length === 0) return all;
      after = page.next;
      limit = 5000;
    }
  },

  stat: (ws: string, path: string, signal?: AbortSignal) =>
    call<Stat>('GET', `${wsBase(ws)}/stat?path=${enc(path)}`, undefined, signal),

  versions: (ws: string, path: string, signal?: AbortSignal) =>
    call<{ path: string; versions: Version[] }>('GET', `${wsBase(ws)}/versions?path=${enc(path)}`, undefined, signal).then(
      (r) => r.versions,
    ),

  restore: (ws: string, path: string, version: number) =>
    call<Version>('POST', `${wsBase(ws)}/restore`, { path, version }),

  save: (ws: string, path: string, message: string) => call<Version>('POST', `${wsBase(ws)}/save`, { path, message }),

  makeFolder: (ws: string, path: string) => call<Stat>('POST', `${wsBase(ws)}/folders`, { path }),

  /** A file goes to the trash; a folder is deleted with everything in it (its files to the trash). */
  remove: (ws: string, path: string) =>
    call<{ trashed: number; removed: number }>('POST', `${wsBase(ws)}/delete`, { path }),

  move: (ws: string, from: string, to: string) => call<Stat>('POST', `${wsBase(ws)}/move`, { from, to }),

  trash: (ws: string, signal?: AbortSignal) =>
    call<{ entries: TrashEntry[] }>('GET', `${wsBase(ws)}/trash`, undefined, signal).then((r) => r.entries),

  /** Back where it was, or to `path`. */
  restoreTrash: (ws: string, id: number, path?: string) =>
    call<{ path: string }>('POST', `${wsBase(ws)}/trash/restore`, path ? { id, path } : { id }),

  /** The changes after `after`; waits up to `wait` seconds for one. */
  events: (ws: string, after: number, wait: number, signal?: AbortSignal, limit?: number) =>
    call<EventPage>(
      'GET',
      `${wsBase(ws)}/events?after=${after}&wait=${wait}${limit ? `&limit=${limit}` : ''}`,
      undefined,
      signal,
    ),

  uploadBegin: (ws: string, path: string, size: number) =>
    call<UploadState>('POST', `${wsBase(ws)}/uploads`, { path, size }),

  uploadState: (ws: string, id: string, signal?: AbortSignal) =>
    call<UploadState>('GET', `${wsBase(ws)}/uploads/${id}`, undefined, signal),

  /** Sends the bytes from `offset` (what the server has received so far). */
  uploadPiece: (ws: string, id: string, offset: number, piece: Blob, signal?: AbortSignal) =>
    call<{ received: number }>('PUT', `${wsBase(ws)}/uploads/${id}?offset=${offset}`, piece, signal),

  uploadFinish: (ws: string, id: string) => call<Version>('POST', `${wsBase(ws)}/uploads/${id}/finish`, {}),

  uploadAbandon: (ws: string, id: string) => call<unknown>('DELETE', `${wsBase(ws)}/uploads/${id}`),

  /** not_supported (HTTP 422) on a drive without tiers, as are place and transfers. */
  placement: (ws: string, path: string, signal?: AbortSignal) =>
    call<Placement>('GET', `${wsBase(ws)}/placement?path=${enc(path)}`, undefined, signal),

  /** The placements of up to 500 paths at once (the folder page's rows); not_supported as above. */
  placements: (ws: string, paths: string[], signal?: AbortSignal) =>
    call<{ placements: Record<string, PathPlacement> }>('POST', `${wsBase(ws)}/placement`, { paths }, signal).then(
      (r) => r.placements,
    ),

  /** Queues the transfers of `action`; they finish in the background. */
  place: (ws: string, path: string, action: PlaceAction) =>
    call<PlaceResult>('POST', `${wsBase(ws)}/place`, { path, action }),

  transfers: (ws: string, signal?: AbortSignal) => call<Transfers>('GET', `${wsBase(ws)}/transfers`, undefined, signal),
};
