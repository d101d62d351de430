// The web API of the drive (`reel web`) or of the team server (`reel server`): same origin,
// JSON, session in an HttpOnly cookie. The team server offers the read routes, the changes of
// files (folders, moves, deletes, restores, checkpoints; to writers and admins) and some of its
// own (instances, tasks, grants, workspaces' settings, users, groups, tokens), but no uploads or
// tiers; server.ts says which one the app talks to.

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

export type Role = 'reader' | 'writer' | 'admin';

/** The team server's workspaces also have the optional fields. */
export interface Workspace {
  name: string;
  role: Role | string;
  home?: boolean;
  share?: 'on-close' | 'on-publish' | string;
  conflict?: string;
  encrypted?: boolean;
  created_ns?: number;
}

/** GET /v1/health: a drive's answer has no `server`. */
export interface Health {
  ok: boolean;
  server?: 'team' | 'drive' | string;
}

/** A mount of a workspace, as it last reported itself to the team server. */
export interface Instance {
  name: string;
  user: string;
  workspace: string;
  host: string;
  online: boolean;
  started_ns: number;
  last_seen_ns: number;
  cache_bytes: number;
  cache_limit: number;
  transfer_queue: number;
  pending_commits: number;
}

export type TaskKind = 'hydrate' | 'pin' | 'unpin' | 'publish';
export type TaskState = 'queued' | 'running' | 'done' | 'failed';

/** Work the team server passes to an instance (a pipeline task). */
export interface Task {
  id: number | string;
  instance: string;
  workspace: string;
  kind: TaskKind | string;
  path: string;
  state: TaskState | string;
  message: string;
  created_by: string;
  created_ns: number;
  updated_ns: number;
}

/** A principal is a user name or "@group". */
export interface Grant {
  principal: string;
  role: Role | string;
}

export interface User {
  name: string;
  id: number | string;
  created_ns: number;
}

/** A group of the team's users: granted as "@name". */
export interface Group {
  name: string;
  members: string[];
}

/** One of the user's API tokens, as listed: never its secret. A browser's session is one too. */
export interface Token {
  id: number | string;
  created_ns: number;
  /** 0: it never expires. */
  expires_ns: number;
  /** The token this browser's session uses. */
  current: boolean;
}

/** A new token: `token` is its secret, shown this once. */
export interface NewToken {
  id: number | string;
  token: string;
  expires_ns: number;
}

/** The settings an admin changes; absent: unchanged. */
export interface WorkspaceChange {
  share?: string;
  conflict?: string;
}

/** What a team workspace holds, and its chunks per tier. */
export interface Storage {
  files: number;
  bytes: number;
  versions: number;
  tiers: Record<string, { chunks: number; bytes: number }>;
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

/** 32 random hex digits. From getRandomValues, not randomUUID: a team server on a LAN may be
 * plain http, which is not a secure context. */
function requestId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Answers that are 401 without the session being gone: there was none to begin with. */
const SIGN_IN_ROUTES = ['/v1/me', '/v1/sign-in'];

/** A request to the API; a Blob body is sent as bytes, any other body as JSON. */
async function call<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  // The team server does a change once per id (a retried request gets the first answer); the
  // drive ignores it. A new id per call: the app's own retries are new requests.
  if (method !== 'GET' && method !== 'HEAD') headers['Reel-Request-Id'] = requestId();
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
    throw new ApiError(0, 'network', 'Cannot reach the ReelDrive server.');
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
    if (res.status === 401 && unauthenticated && !SIGN_IN_ROUTES.some((r) => url.startsWith(r))) {
      unauthenticated();
    }
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

/** URL of a PNG thumbnail the server makes of a picture the browser cannot show (EXR, DPX...). */
export function thumbnailUrl(ws: string, path: string, version?: number): string {
  let u = `${wsBase(ws)}/thumbnail?path=${enc(path)}`;
  if (version) u += `&version=${version}`;
  return u;
}

export const api = {
  /** No session needed: which server this is. */
  health: (signal?: AbortSignal) => call<Health>('GET', '/v1/health', undefined, signal),

  /** Team server: a session for the user of an API token (the server sets the cookie). The
   * token goes in the body only: never in a URL, never stored by the app. */
  signIn: (token: string) => call<{ user: string }>('POST', '/v1/sign-in', { token }),

  signOut: () => call<{ ok: boolean }>('POST', '/v1/sign-out', {}),

  me: (signal?: AbortSignal) => call<{ user: string }>('GET', '/v1/me', undefined, signal),

  workspaces: (signal?: AbortSignal) =>
    call<{ workspaces: Workspace[] }>('GET', '/v1/workspaces', undefined, signal).then((r) => r.workspaces),

  /** 403 when the user has no role in it. */
  workspace: (ws: string, signal?: AbortSignal) => call<Workspace>('GET', wsBase(ws), undefined, signal),

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

  // Team server only.

  /** The mounts of `ws`, online or not. */
  instances: (ws: string, signal?: AbortSignal) =>
    call<{ instances: Instance[] }>('GET', `/v1/instances?workspace=${enc(ws)}`, undefined, signal).then(
      (r) => r.instances,
    ),

  /** Queues `kind` on instance `name` for `path` (from the workspace root). */
  sendTask: (instance: string, kind: TaskKind, path: string) =>
    call<Task>('POST', `/v1/instances/${enc(instance)}/tasks`, { kind, path }),

  task: (id: number | string, signal?: AbortSignal) =>
    call<Task>('GET', `/v1/tasks/${enc(String(id))}`, undefined, signal),

  grants: (ws: string, signal?: AbortSignal) =>
    call<{ grants: Grant[] }>('GET', `${wsBase(ws)}/grants`, undefined, signal).then((r) => r.grants),

  /** Grants `role` to a user or "@group", or changes theirs. */
  grant: (ws: string, principal: string, role: Role) =>
    call<{ ok: boolean }>('PUT', `${wsBase(ws)}/grants/${enc(principal)}`, { role }),

  /** 400 when it would leave the workspace without an admin. */
  revoke: (ws: string, principal: string) =>
    call<{ ok: boolean }>('DELETE', `${wsBase(ws)}/grants/${enc(principal)}`),

  /** Team server: a new workspace, the user its admin; 409 when the name is taken. */
  createWorkspace: (name: string, encrypted: boolean) =>
    call<Workspace>('POST', '/v1/workspaces', { name, encrypted }),

  /** Team server, admins: changes only the settings `change` names. */
  changeWorkspace: (ws: string, change: WorkspaceChange) => call<Workspace>('PATCH', wsBase(ws), change),

  users: (signal?: AbortSignal) =>
    call<{ users: User[] }>('GET', '/v1/users', undefined, signal).then((r) => r.users),

  groups: (signal?: AbortSignal) =>
    call<{ groups: Group[] }>('GET', '/v1/groups', undefined, signal).then((r) => r.groups),

  /** The user's own tokens still valid. */
  tokens: (signal?: AbortSignal) =>
    call<{ tokens: Token[] }>('GET', '/v1/tokens', undefined, signal).then((r) => r.tokens),

  /** A new token of the user's; `days` absent: it never expires. */
  createToken: (days?: number) =>
    call<NewToken>('POST', '/v1/tokens', days === undefined ? {} : { expires_days: days }),

  /** Revoking the token of this browser's session ends it: the next call answers 401. */
  revokeToken: (id: number | string) => call<{ ok: boolean }>('DELETE', `/v1/tokens/${enc(String(id))}`),

  storage: (ws: string, signal?: AbortSignal) =>
    call<Storage>('GET', `${wsBase(ws)}/storage`, undefined, signal),
};
