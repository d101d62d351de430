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

export interface Workspace {
  name: string;
  role: string;
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

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, signal, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
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
};
