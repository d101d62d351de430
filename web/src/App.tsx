import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, isAbort, onUnauthenticated, type Workspace } from './api';
import { errorText, MessagesContext, type Messages, type NoticeAction } from './messages';
import { folderHref, homeHref, navigate, trashHref, useRoute } from './route';
import { FolderPage } from './FolderPage';
import { FilePage } from './FilePage';
import { startLive, useLiveOn } from './live';
import { TrashPage } from './TrashPage';
import { UploadsPanel } from './Uploads';

type Session =
  | { state: 'loading' }
  | { state: 'signed-in'; user: string }
  | { state: 'signed-out' }
  | { state: 'failed'; message: string };

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [workspaces, setWorkspaces] = useState<Workspace[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ text: string; action?: NoticeAction } | null>(null);
  const [attempt, setAttempt] = useState(0);
  const noticeTimer = useRef<number | undefined>(undefined);

  const messages = useMemo<Messages>(
    () => ({
      error: (e) => {
        const t = errorText(e);
        if (t !== null) setError(t);
      },
      notice: (text, action) => {
        setNotice({ text, action });
        window.clearTimeout(noticeTimer.current);
        noticeTimer.current = window.setTimeout(() => setNotice(null), 12000);
      },
    }),
    [],
  );

  useEffect(() => {
    onUnauthenticated(() => setSession({ state: 'signed-out' }));
    const ac = new AbortController();
    (async () => {
      try {
        const me = await api.me(ac.signal);
        const list = await api.workspaces(ac.signal);
        setWorkspaces(list);
        setSession({ state: 'signed-in', user: me.user });
      } catch (e) {
        if (isAbort(e)) return;
        if (e instanceof ApiError && e.status === 401) setSession({ state: 'signed-out' });
        else setSession({ state: 'failed', message: errorText(e) ?? 'Unknown error' });
      }
    })();
    return () => ac.abort();
  }, [attempt]);

  // A drive with a single workspace goes straight into it.
  useEffect(() => {
    if (route.kind === 'home' && workspaces && workspaces.length === 1) {
      navigate(folderHref(workspaces[0].name, ''), true);
    }
  }, [route, workspaces]);

  // Messages belong to the page they were shown on.
  const routeKey = route.kind === 'home' ? 'home' : `${route.kind}:${route.ws}:${route.path}`;
  useEffect(() => {
    setError(null);
    setNotice(null);
  }, [routeKey]);

  useEffect(() => {
    document.title =
      route.kind === 'home' ? 'ReelDrive' : `${route.kind === 'trash' ? 'Trash' : route.path || route.ws} · ReelDrive`;
  }, [routeKey]);

  const signedIn = session.state === 'signed-in';
  const ws = route.kind === 'home' ? null : route.ws;
  // One loop follows the changes of the workspace shown.
  useEffect(() => (signedIn && ws !== null ? startLive(ws) : undefined), [signedIn, ws]);

  const retry = useCallback(() => {
    setSession({ state: 'loading' });
    setAttempt((a) => a + 1);
  }, []);

  let body;
  if (session.state === 'loading') {
    body = <div class="placeholder" data-testid="loading">Loading…</div>;
  } else if (session.state === 'signed-out') {
    body = <SignedOut />;
  } else if (session.state === 'failed') {
    body = (
      <div class="center-card" data-testid="failed">
        <h1>Cannot load ReelDrive</h1>
        <p>{session.message}</p>
        <button type="button" class="btn" onClick={retry}>
          Try again
        </button>
      </div>
    );
  } else if (route.kind === 'home') {
    body = <WorkspaceList workspaces={workspaces ?? []} />;
  } else if (route.kind === 'folder') {
    body = <FolderPage key={routeKey} ws={route.ws} path={route.path} />;
  } else if (route.kind === 'trash') {
    body = <TrashPage key={routeKey} ws={route.ws} />;
  } else {
    body = <FilePage key={routeKey} ws={route.ws} path={route.path} />;
  }

  return (
    <MessagesContext.Provider value={messages}>
      <div class="app">
        <header class="topbar">
          <a class="brand" href={homeHref()}>
            <span class="brand-mark" aria-hidden="true" />
            ReelDrive
          </a>
          {signedIn && ws !== null && (
            <a class="ws-name" href={folderHref(ws, '')} data-testid="workspace-name" title="Workspace">
              {ws}
            </a>
          )}
          {signedIn && workspaces && workspaces.length > 1 && ws !== null && (
            <a class="ws-switch" href={homeHref()}>
              All workspaces
            </a>
          )}
          <span class="spacer" />
          {signedIn && ws !== null && (
            <>
              <LiveIndicator />
              <a
                class={`trash-link${route.kind === 'trash' ? ' active' : ''}`}
                href={trashHref(ws)}
                data-testid="trash-link"
                aria-current={route.kind === 'trash' ? 'page' : undefined}
              >
                Trash
              </a>
            </>
          )}
          {signedIn && (
            <span class="user" data-testid="user" title="Signed in as">
              {session.user}
            </span>
          )}
        </header>
        {error && (
          <div class="banner banner-error" role="alert" data-testid="error">
            <span>{error}</span>
            <button type="button" class="banner-close" aria-label="Dismiss" onClick={() => setError(null)}>
              ×
            </button>
          </div>
        )}
        {notice && (
          <div class="banner banner-notice" role="status" data-testid="notice">
            <span>{notice.text}</span>
            {notice.action &&
              (notice.action.href ? (
                <a class="btn small" href={notice.action.href} data-testid={notice.action.testId}>
                  {notice.action.label}
                </a>
              ) : (
                <button
                  type="button"
                  class="btn small"
                  data-testid={notice.action.testId}
                  onClick={() => {
                    setNotice(null);
                    notice.action?.run?.();
                  }}
                >
                  {notice.action.label}
                </button>
              ))}
            <button type="button" class="banner-close" aria-label="Dismiss" onClick={() => setNotice(null)}>
              ×
            </button>
          </div>
        )}
        <main class="content">{body}</main>
        {signedIn && <UploadsPanel />}
      </div>
    </MessagesContext.Provider>
  );
}

function LiveIndicator() {
  const on = useLiveOn();
  return (
    <span
      class={`live${on ? ' on' : ''}`}
      data-testid="live"
      data-state={on ? 'on' : 'off'}
      title={on ? "Live: other people's changes show at once" : 'Not following changes: reconnecting…'}
    >
      {on ? 'Live' : 'Offline'}
    </span>
  );
}

function SignedOut() {
  return (
    <div class="center-card" data-testid="signed-out">
      <h1>Sign in to ReelDrive</h1>
      <p>
        Not signed in. Run <code>reel web PATH</code> on the machine of the drive for a sign-in link.
      </p>
    </div>
  );
}

function WorkspaceList({ workspaces }: { workspaces: Workspace[] }) {
  if (workspaces.length === 0) {
    return (
      <div class="center-card" data-testid="workspaces">
        <h1>No workspaces</h1>
        <p>You have not been granted any workspace on this drive.</p>
      </div>
    );
  }
  return (
    <div class="page workspaces" data-testid="workspaces">
      <h1>Workspaces</h1>
      <ul class="ws-list">
        {workspaces.map((w) => (
          <li key={w.name}>
            <a href={folderHref(w.name, '')} data-testid="workspace" data-name={w.name}>
              <span class="badge t-dir">WS</span>
              <span class="ws-list-name">{w.name}</span>
              <span class="role">{w.role}</span>
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
