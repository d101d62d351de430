// A team workspace's admin page: its settings (read-only), who is granted what (admins change
// it), its instances, and what it stores. Every member may look; only admins get the controls,
// and the server checks again.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, isAbort, type Grant, type Role, type Storage, type User, type Workspace } from './api';
import { compareNames, humanSize, isoOfNs, isoMinute } from './format';
import { InstancesTable } from './Instances';
import { errorText, useMessages } from './messages';

const ROLES: Role[] = ['reader', 'writer', 'admin'];

const SHARE: Record<string, string> = {
  'on-close': 'every save is shared as it is made',
  'on-publish': "members see each other's published versions only",
};

interface PageProps {
  ws: string;
  /** The workspace as the list of the user's workspaces has it: shown until it is read again. */
  listed: Workspace;
  /** Grants changed: the user's own role may have too. */
  onGrantsChanged: () => void;
}

export function AdminPage({ ws, listed, onGrantsChanged }: PageProps) {
  const messages = useMessages();
  const [workspace, setWorkspace] = useState<Workspace>(listed);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const ac = new AbortController();
    api.workspace(ws, ac.signal).then(setWorkspace, (e) => {
      if (!isAbort(e)) messages.error(e);
    });
    return () => ac.abort();
  }, [ws, reload]);

  return (
    <div class="page admin-page" data-testid="admin-page" data-role={workspace.role}>
      <div class="toolbar">
        <h1 class="page-title">Admin of {ws}</h1>
        <span class="muted">
          {workspace.role === 'admin' ? 'You are an admin here.' : 'Read-only: only its admins change grants.'}
        </span>
      </div>
      <Settings workspace={workspace} />
      <Grants
        ws={ws}
        admin={workspace.role === 'admin'}
        onChanged={() => {
          setReload((r) => r + 1);
          onGrantsChanged();
        }}
      />
      <InstancesTable ws={ws} />
      <StorageSection ws={ws} />
    </div>
  );
}

const yesNo = (b: boolean | undefined) => (b === undefined ? '—' : b ? 'yes' : 'no');

function Settings({ workspace: w }: { workspace: Workspace }) {
  const created = isoOfNs(w.created_ns ?? 0);
  const rows: [string, string, string, string?][] = [
    ['role', 'Your role', w.role],
    ['share', 'Sharing', w.share ?? '—', w.share ? SHARE[w.share] : undefined],
    ['conflict', 'Conflicts', w.conflict ?? '—'],
    ['encrypted', 'Encrypted', yesNo(w.encrypted)],
    ['home', 'Home workspace', yesNo(w.home)],
    ['created', 'Created', created ? isoMinute(new Date(created)) : '—'],
  ];
  return (
    <section class="admin-section" data-testid="ws-settings" aria-labelledby="settings-title">
      <div class="section-head">
        <h2 id="settings-title">Settings</h2>
      </div>
      <dl class="settings">
        {rows.map(([key, label, value, note]) => (
          <div key={key}>
            <dt>{label}</dt>
            <dd data-testid={`setting-${key}`} data-value={value}>
              {value}
              {note && <span class="muted"> · {note}</span>}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** The grants, and for admins a form to grant (or change) a role and a Remove per grant. A
 * refused change (e.g. removing the last admin) is said next to the form. */
function Grants({ ws, admin, onChanged }: { ws: string; admin: boolean; onChanged: () => void }) {
  const [grants, setGrants] = useState<Grant[] | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [principal, setPrincipal] = useState('');
  const [role, setRole] = useState<Role>('reader');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const ac = new AbortController();
    api.grants(ws, ac.signal).then(
      (g) => setGrants(g.slice().sort((a, b) => compareNames(a.principal, b.principal))),
      (e) => {
        if (isAbort(e)) return;
        setError(errorText(e));
        setGrants((old) => old ?? []);
      },
    );
    return () => ac.abort();
  }, [ws, reload]);

  // The user names offered while typing a principal: a help only, so a failure says nothing.
  useEffect(() => {
    if (!admin) return undefined;
    const ac = new AbortController();
    api.users(ac.signal).then(setUsers, () => {});
    return () => ac.abort();
  }, [admin]);

  const change = async (what: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await what();
      onChanged();
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
      // A refused change may be one someone else made first: the table shows what the server has.
      setReload((r) => r + 1);
    }
  };

  const grant = async () => {
    const who = principal.trim();
    if (!who) return setError('Name a user, or a group as @group.');
    if (await change(() => api.grant(ws, who, role))) setPrincipal('');
  };

  return (
    <section class="admin-section" data-testid="grants" aria-labelledby="grants-title">
      <div class="section-head">
        <h2 id="grants-title">Grants</h2>
        <span class="muted">a user, or @group for every member of a group</span>
      </div>
      {admin && (
        <form
          class="grant-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy) void grant();
          }}
        >
          <input
            type="text"
            list="grant-users"
            aria-label="User or @group"
            placeholder="user or @group"
            data-testid="grant-principal"
            value={principal}
            spellcheck={false}
            onInput={(e) => setPrincipal((e.currentTarget as HTMLInputElement).value)}
          />
          <datalist id="grant-users">
            {users.map((u) => (
              <option key={u.name} value={u.name} />
            ))}
          </datalist>
          <select
            aria-label="Role"
            data-testid="grant-role"
            value={role}
            onChange={(e) => setRole((e.currentTarget as HTMLSelectElement).value as Role)}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <button type="submit" class="btn primary" data-testid="grant" disabled={busy}>
            Grant
          </button>
        </form>
      )}
      {error && (
        <p class="form-error" role="alert" data-testid="grant-error">
          {error}
        </p>
      )}
      {!grants ? (
        <p class="panel-note">Loading…</p>
      ) : (
        <div class="table-scroll">
          <table class="plain-table">
            <thead>
              <tr>
                <th>Principal</th>
                <th>Role</th>
                {admin && (
                  <th>
                    <span class="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {grants.map((g) => (
                <tr key={g.principal} data-testid="grant-row" data-principal={g.principal} data-role={g.role}>
                  <td>
                    {g.principal}
                    {g.principal.startsWith('@') && <span class="muted"> (group)</span>}
                  </td>
                  <td>{g.role}</td>
                  {admin && (
                    <td class="act">
                      <button
                        type="button"
                        class="btn small"
                        data-testid="grant-remove"
                        aria-label={`Remove the grant of ${g.principal}`}
                        disabled={busy}
                        onClick={() => void change(() => api.revoke(ws, g.principal))}
                      >
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** What the workspace stores; left out when the server does not say (404). */
function StorageSection({ ws }: { ws: string }) {
  const [s, setS] = useState<Storage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [none, setNone] = useState(false);

  useEffect(() => {
    const ac = new AbortController();
    api.storage(ws, ac.signal).then(setS, (e) => {
      if (isAbort(e)) return;
      if (e instanceof ApiError && e.status === 404) setNone(true);
      else setError(errorText(e));
    });
    return () => ac.abort();
  }, [ws]);

  if (none || (!s && !error)) return null;
  const tiers = s ? Object.entries(s.tiers ?? {}) : [];
  return (
    <section class="admin-section" data-testid="storage" aria-labelledby="storage-title">
      <div class="section-head">
        <h2 id="storage-title">Storage</h2>
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {s && (
        <>
          <dl class="settings">
            <div>
              <dt>Files</dt>
              <dd data-testid="storage-files">{s.files.toLocaleString('en-US')}</dd>
            </div>
            <div>
              <dt>Size</dt>
              <dd data-testid="storage-bytes" title={`${s.bytes.toLocaleString('en-US')} bytes`}>
                {humanSize(s.bytes)}
              </dd>
            </div>
            <div>
              <dt>Versions</dt>
              <dd data-testid="storage-versions">{s.versions.toLocaleString('en-US')}</dd>
            </div>
          </dl>
          {tiers.length > 0 && (
            <div class="table-scroll">
              <table class="plain-table">
                <thead>
                  <tr>
                    <th>Tier</th>
                    <th class="num">Chunks</th>
                    <th class="num">Bytes</th>
                  </tr>
                </thead>
                <tbody>
                  {tiers.map(([name, t]) => (
                    <tr key={name} data-testid="storage-tier" data-tier={name}>
                      <td>{name}</td>
                      <td class="num">{t.chunks.toLocaleString('en-US')}</td>
                      <td class="num" title={`${t.bytes.toLocaleString('en-US')} bytes`}>
                        {humanSize(t.bytes)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
