// A team workspace's admin page: its settings and who is granted what (admins change both), its
// instances, and what it stores. Every member may look; only admins get the controls, and the
// server checks again.
import type { ComponentChild } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  api,
  ApiError,
  isAbort,
  type Grant,
  type Group,
  type Role,
  type Storage,
  type User,
  type Workspace,
  type WorkspaceChange,
} from './api';
import { compareNames, humanSize, isoOfNs, isoMinute } from './format';
import { InstancesTable } from './Instances';
import { errorText, useMessages } from './messages';
import { useAction } from './action';
import { FormError, PlainTable } from './Table';

const ROLES: Role[] = ['reader', 'writer', 'admin'];

const SHARE: Record<string, string> = {
  'on-close': 'every save is shared as it is made',
  'on-publish': "members see each other's published versions only",
};

/** What the workspace does with a save made on a version another machine's save replaced. */
const CONFLICT: Record<string, string> = {
  'last-writer-wins': 'the later save becomes current',
  'keep-both': 'the later save becomes a conflict copy beside the file',
  reject: 'the later save is kept as a rejected version',
};

interface PageProps {
  ws: string;
  /** The workspace as the list of the user's workspaces has it: shown until it is read again. */
  listed: Workspace;
  /** Grants or settings changed: the user's list of workspaces (roles, settings) is read again. */
  onWorkspaceChanged: () => void;
}

export function AdminPage({ ws, listed, onWorkspaceChanged }: PageProps) {
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
          {workspace.role === 'admin' ? 'You are an admin here.' : 'Read-only: only its admins change settings and grants.'}
        </span>
      </div>
      <Settings
        workspace={workspace}
        onSaved={(w) => {
          setWorkspace(w);
          onWorkspaceChanged();
        }}
      />
      <Grants
        ws={ws}
        admin={workspace.role === 'admin'}
        onChanged={() => {
          setReload((r) => r + 1);
          onWorkspaceChanged();
        }}
      />
      <InstancesTable ws={ws} />
      <StorageSection ws={ws} />
    </div>
  );
}

const yesNo = (b: boolean | undefined) => (b === undefined ? '—' : b ? 'yes' : 'no');

/** The settings; for admins, Sharing and Conflicts are selects, saved together (only what
 * changed is sent). */
function Settings({ workspace: w, onSaved }: { workspace: Workspace; onSaved: (w: Workspace) => void }) {
  const admin = w.role === 'admin';
  const [share, setShare] = useState(w.share ?? '');
  const [conflict, setConflict] = useState(w.conflict ?? '');
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState(false);
  // The workspace as read again (or saved) is what the selects start from.
  useEffect(() => {
    setShare(w.share ?? '');
    setConflict(w.conflict ?? '');
  }, [w.share, w.conflict]);

  const change: WorkspaceChange = {};
  if (share !== (w.share ?? '')) change.share = share;
  if (conflict !== (w.conflict ?? '')) change.conflict = conflict;
  const changed = Object.keys(change).length > 0;

  const save = async () => {
    await run(async () => {
      onSaved(await api.changeWorkspace(w.name, change));
      setSaved(true);
    });
  };

  const created = isoOfNs(w.created_ns ?? 0);
  const choice = (key: string, value: string, set: (v: string) => void, options: Record<string, string>) =>
    admin ? (
      <select
        aria-label={key === 'share' ? 'Sharing' : 'Conflicts'}
        data-testid={`setting-${key}-select`}
        value={value}
        disabled={busy}
        onChange={(e) => {
          set((e.currentTarget as HTMLSelectElement).value);
          setSaved(false);
        }}
      >
        {/* A value this app does not know (a newer server's) stays choosable as it is. */}
        {[...Object.keys(options), ...(value && !(value in options) ? [value] : [])].map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    ) : undefined;
  const rows: [string, string, string, string?, ComponentChild?][] = [
    ['role', 'Your role', w.role],
    ['share', 'Sharing', w.share ?? '—', SHARE[share], choice('share', share, setShare, SHARE)],
    [
      'conflict',
      'Conflicts',
      w.conflict ?? '—',
      CONFLICT[conflict],
      choice('conflict', conflict, setConflict, CONFLICT),
    ],
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
        {rows.map(([key, label, value, note, control]) => (
          <div key={key}>
            <dt>{label}</dt>
            {/* data-value: the saved value, whatever a select shows. */}
            <dd data-testid={`setting-${key}`} data-value={value}>
              {control ?? value}
              {note && <span class="muted"> · {note}</span>}
            </dd>
          </div>
        ))}
      </dl>
      {admin && (
        <form
          class="settings-save"
          onSubmit={(e) => {
            e.preventDefault();
            if (!busy && changed) void save();
          }}
        >
          <button type="submit" class="btn primary" data-testid="settings-save" disabled={busy || !changed}>
            Save
          </button>
          {changed && !busy && <span class="muted">not saved yet</span>}
          {saved && !changed && (
            <span class="muted" role="status" data-testid="settings-saved">
              Saved.
            </span>
          )}
        </form>
      )}
      <FormError error={error} testId="settings-error" />
    </section>
  );
}

/** The grants, and for admins a form to grant (or change) a role and a Remove per grant. A
 * refused change (e.g. removing the last admin) is said next to the form. */
function Grants({ ws, admin, onChanged }: { ws: string; admin: boolean; onChanged: () => void }) {
  const [grants, setGrants] = useState<Grant[] | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [groups, setGroups] = useState<Group[]>([]);
  const [principal, setPrincipal] = useState('');
  const [role, setRole] = useState<Role>('reader');
  const { busy, error, setError, run } = useAction();
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

  // The users and "@groups" offered while typing a principal: a help only, so a failure says
  // nothing.
  useEffect(() => {
    if (!admin) return undefined;
    const ac = new AbortController();
    api.users(ac.signal).then(setUsers, () => {});
    api.groups(ac.signal).then(setGroups, () => {});
    return () => ac.abort();
  }, [admin]);

  const change = async (what: () => Promise<unknown>): Promise<boolean> => {
    const ok = await run(async () => {
      await what();
      onChanged();
    });
    // A refused change may be one someone else made first: the table shows what the server has.
    setReload((r) => r + 1);
    return ok;
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
            {groups.map((g) => (
              <option
                key={'@' + g.name}
                value={'@' + g.name}
                label={`group: ${g.members.join(', ') || 'no members'}`}
              />
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
      <FormError error={error} testId="grant-error" />
      {!grants ? (
        <p class="panel-note">Loading…</p>
      ) : (
        <PlainTable heads={['Principal', 'Role', admin && <span class="sr-only">Actions</span>]}>
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
        </PlainTable>
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
      <FormError error={error} />
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
            <PlainTable heads={['Tier', { label: 'Chunks', num: true }, { label: 'Bytes', num: true }]}>
              {tiers.map(([name, t]) => (
                <tr key={name} data-testid="storage-tier" data-tier={name}>
                  <td>{name}</td>
                  <td class="num">{t.chunks.toLocaleString('en-US')}</td>
                  <td class="num" title={`${t.bytes.toLocaleString('en-US')} bytes`}>
                    {humanSize(t.bytes)}
                  </td>
                </tr>
              ))}
            </PlainTable>
          )}
        </>
      )}
    </section>
  );
}
