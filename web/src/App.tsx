import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AdminPage } from './AdminPage';
import { api, ApiError, isAbort, onUnauthenticated, type Workspace } from './api';
import { errorText, MessagesContext, type Messages, type NoticeAction } from './messages';
import { adminHref, folderHref, homeHref, navigate, routeWorkspace, teamHref, trashHref, useRoute } from './route';
import { FolderPage } from './FolderPage';
import { FilePage } from './FilePage';
import { startLive, useLiveOn } from './live';
import { hasUploadsAndTiers, ServerContext, serverKind, type ServerKind } from './server';
import { TokenSignIn } from './SignIn';
import { TeamPage } from './TeamPage';
import { TrashPage } from './TrashPage';
import { UploadsPanel } from './Uploads';

type Session =
  | { state: 'loading' }
  | { state: 'signed-in'; user: string }
  | { state: 'signed-out' }
  | { state: 'failed'; message: string };

/** The open workspace: the user's role there, or why it cannot be opened (no grant: 403). */
type Access = { ws: string; workspace: Workspace } | { ws: string; denied: string; status: number };

const TITLES: Record<string, string> = { trash: 'Trash', admin: 'Admin', team: 'Team' };

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [server, setServer] = useState<ServerKind | null>(null);
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
        // Which server this is (asked once: it decides how to sign in) and who is signed in, together.
        const [kind, user] = await Promise.all([
          server ?? api.health(ac.signal).then(serverKind),
          api.me(ac.signal).then(
            (me) => me.user,
            (e) => {
              if (e instanceof ApiError && e.status === 401) return null;
              throw e;
            },
          ),
        ]);
        setServer(kind);
        if (user === null) return setSession({ state: 'signed-out' });
        const list = await api.workspaces(ac.signal);
        setWorkspaces(list);
        setSession({ state: 'signed-in', user });
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
  const routeKey =
    route.kind === 'home' || route.kind === 'team' ? route.kind : `${route.kind}:${route.ws}:${route.path}`;
  useEffect(() => {
    setError(null);
    setNotice(null);
  }, [routeKey]);

  useEffect(() => {
    if (route.kind === 'home') document.title = 'ReelDrive';
    else if (route.kind === 'team') document.title = `${TITLES.team} · ReelDrive`;
    else document.title = `${TITLES[route.kind] ?? (route.path || route.ws)} · ReelDrive`;
  }, [routeKey]);

  const signedIn = session.state === 'signed-in';
  const ws = routeWorkspace(route);

  // A workspace of the list is open at once; another one (a link to a workspace of someone
  // else's) is asked for, to say why it cannot be opened rather than show empty pages.
  const listed = ws !== null ? workspaces?.find((w) => w.name === ws) : undefined;
  const [asked, setAsked] = useState<Access | null>(null);
  useEffect(() => {
    if (!signedIn || ws === null || !workspaces || listed) return undefined;
    const ac = new AbortController();
    api.workspace(ws, ac.signal).then(
      (w) => setAsked({ ws, workspace: w }),
      (e) => {
        if (isAbort(e)) return;
        setAsked({ ws, denied: errorText(e) ?? 'Unknown error', status: e instanceof ApiError ? e.status : 0 });
      },
    );
    return () => ac.abort();
  }, [signedIn, ws, workspaces]);
  const access: Access | null =
    ws === null ? null : listed ? { ws, workspace: listed } : asked?.ws === ws ? asked : null;
  const workspace = access && 'workspace' in access ? access.workspace : null;
  const open = workspace !== null;

  // One loop follows the changes of the workspace shown.
  useEffect(() => (signedIn && ws !== null && open ? startLive(ws) : undefined), [signedIn, ws, open]);

  const retry = useCallback(() => {
    setSession({ state: 'loading' });
    setAttempt((a) => a + 1);
  }, []);

  // After a change of grants (the user's own roles may have changed), of a workspace's settings,
  // or a new workspace.
  const reloadWorkspaces = useCallback(
    (): Promise<void> => api.workspaces().then(setWorkspaces, messages.error),
    [],
  );

  const signOut = () =>
    api.signOut().then(() => {
      setWorkspaces(null);
      setSession({ state: 'signed-out' });
    }, messages.error);

  const team = server === 'team';

  let body;
  if (session.state === 'loading') {
    body = <div class="placeholder" data-testid="loading">Loading…</div>;
  } else if (session.state === 'signed-out') {
    body = team ? <TokenSignIn onSignedIn={retry} /> : <SignedOut />;
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
    body = <WorkspaceList workspaces={workspaces ?? []} team={team} />;
  } else if (route.kind === 'team') {
    body = team ? (
      <TeamPage workspaces={workspaces ?? []} onWorkspacesChanged={reloadWorkspaces} />
    ) : (
      <div class="center-card" data-testid="no-team">
        <h1>No team page</h1>
        <p>A drive has one user, its owner: there are no other users, groups or tokens to manage.</p>
      </div>
    );
  } else if (!access) {
    body = <div class="placeholder" data-testid="loading">Loading…</div>;
  } else if (!workspace) {
    body = <NoAccess ws={route.ws} access={access} />;
  } else if (route.kind === 'folder') {
    body = <FolderPage key={routeKey} ws={route.ws} path={route.path} role={workspace.role} />;
  } else if (route.kind === 'trash') {
    body = <TrashPage key={routeKey} ws={route.ws} role={workspace.role} />;
  } else if (route.kind === 'admin') {
    body = team ? (
      <AdminPage key={routeKey} ws={route.ws} listed={workspace} onWorkspaceChanged={reloadWorkspaces} />
    ) : (
      <div class="center-card" data-testid="no-admin">
        <h1>No admin page</h1>
        <p>A drive has one user, its owner: there are no grants or instances to manage.</p>
      </div>
    );
  } else {
    body = <FilePage key={routeKey} ws={route.ws} path={route.path} role={workspace.role} />;
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
          {signedIn && ws !== null && open && (
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
              {team && (
                <a
                  class={`trash-link${route.kind === 'admin' ? ' active' : ''}`}
                  href={adminHref(ws)}
                  data-testid="admin-link"
                  title="Settings, grants, instances and storage of the workspace"
                  aria-current={route.kind === 'admin' ? 'page' : undefined}
                >
                  Admin
                </a>
              )}
            </>
          )}
          {signedIn && team && (
            <a
              class={`trash-link${route.kind === 'team' ? ' active' : ''}`}
              href={teamHref()}
              data-testid="team-link"
              title="Workspaces, users and groups of the team, and your tokens"
              aria-current={route.kind === 'team' ? 'page' : undefined}
            >
              Team
            </a>
          )}
          {signedIn && (
            <span class="user" data-testid="user" title="Signed in as">
              {session.user}
            </span>
          )}
          {signedIn && (
            <button type="button" class="btn small" data-testid="sign-out" onClick={signOut}>
              Sign out
            </button>
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
        <ServerContext.Provider value={server ?? 'drive'}>
          <main class="content">{body}</main>
        </ServerContext.Provider>
        {signedIn && hasUploadsAndTiers(server ?? 'drive') && <UploadsPanel />}
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

/** A workspace that cannot be opened: the server's reason, large, where the page would be. */
function NoAccess({ ws, access }: { ws: string; access: Access }) {
  const message = 'denied' in access ? access.denied : '';
  const status = 'denied' in access ? access.status : 0;
  return (
    <div class="center-card" data-testid="no-access" data-status={status}>
      <h1>{status === 403 ? `You have no access to workspace ${ws}` : `Cannot open workspace ${ws}`}</h1>
      <p class="no-access-message" data-testid="no-access-message">
        {message}
      </p>
      <p>
        <a href={homeHref()}>Your workspaces</a>
      </p>
    </div>
  );
}

function WorkspaceList({ workspaces, team }: { workspaces: Workspace[]; team: boolean }) {
  if (workspaces.length === 0) {
    return (
      <div class="center-card" data-testid="workspaces">
        <h1>No workspaces</h1>
        <p>
          {team
            ? 'You have not been granted any workspace on this server: ask an administrator of one.'
            : 'You have not been granted any workspace on this drive.'}
        </p>
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
              {w.home && <span class="role">home</span>}
              <span class="role">{w.role}</span>
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
