// Hash routes:
//   #/                       workspaces
//   #/w/WS/a/b/              folder a/b of workspace WS (root: #/w/WS/)
//   #/w/WS/file/a/b.txt      the page of file a/b.txt
//   #/w/WS/trash             the trash of WS
//   #/w/WS/admin             settings, grants, instances and storage of WS (team server)
//   #/team                   the team's workspaces, users and groups, and your tokens (team server)
// Every segment is encoded with encodeURIComponent. Folder links always end with '/', file,
// trash and admin links never do, so a folder named "file", "trash" or "admin" at the root
// (#/w/WS/file/, #/w/WS/trash/, #/w/WS/admin/) is not mistaken for a file page, the trash or
// the admin page.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { kind: 'home' }
  | { kind: 'team' }
  | { kind: 'folder'; ws: string; path: string }
  | { kind: 'file'; ws: string; path: string }
  | { kind: 'trash'; ws: string; path: '' }
  | { kind: 'admin'; ws: string; path: '' };

const enc = encodeURIComponent;

function dec(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function decodePath(s: string): string {
  return s
    .split('/')
    .filter((p) => p !== '')
    .map(dec)
    .join('/');
}

function encodePath(path: string): string {
  return path
    .split('/')
    .filter((p) => p !== '')
    .map(enc)
    .join('/');
}

export function parseHash(hash: string): Route {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (h === '/team') return { kind: 'team' };
  if (!h.startsWith('/w/')) return { kind: 'home' };
  const rest = h.slice(3);
  const slash = rest.indexOf('/');
  const ws = dec(slash < 0 ? rest : rest.slice(0, slash));
  if (ws === '') return { kind: 'home' };
  const tail = slash < 0 ? '' : rest.slice(slash + 1);
  if (tail === 'trash') return { kind: 'trash', ws, path: '' };
  if (tail === 'admin') return { kind: 'admin', ws, path: '' };
  if (tail.startsWith('file/') && !tail.endsWith('/')) {
    const path = decodePath(tail.slice(5));
    if (path !== '') return { kind: 'file', ws, path };
  }
  return { kind: 'folder', ws, path: decodePath(tail) };
}

export function homeHref(): string {
  return '#/';
}

export function teamHref(): string {
  return '#/team';
}

/** The workspace a route is in; null for the pages of no workspace (home, team). */
export function routeWorkspace(route: Route): string | null {
  return route.kind === 'home' || route.kind === 'team' ? null : route.ws;
}

export function folderHref(ws: string, path: string): string {
  const p = encodePath(path);
  return `#/w/${enc(ws)}/` + (p ? p + '/' : '');
}

export function fileHref(ws: string, path: string): string {
  return `#/w/${enc(ws)}/file/` + encodePath(path);
}

export function trashHref(ws: string): string {
  return `#/w/${enc(ws)}/trash`;
}

export function adminHref(ws: string): string {
  return `#/w/${enc(ws)}/admin`;
}

export function joinPath(dir: string, name: string): string {
  return dir ? dir + '/' + name : name;
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function navigate(href: string, replace = false): void {
  if (replace) location.replace(href);
  else location.hash = href.slice(1);
}
