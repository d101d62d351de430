// The team page (#/team, team server only): what is the team's rather than one workspace's. The
// user's workspaces, with a form for a new one; the team's users and groups, listed only (they
// are made on the server host); and the user's own API tokens, made and revoked here. A new
// token's secret is shown once and lives only in this page's state: never stored, never in a
// URL, gone when the page is left.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, isAbort, type NewToken, type Token, type Workspace } from './api';
import { compareNames, minuteOfNs } from './format';
import { errorText } from './messages';
import { folderHref } from './route';
import { useAction } from './action';
import { FormError, PlainTable } from './Table';

interface PageProps {
  workspaces: Workspace[];
  /** Reads the user's workspaces again: the list the header and this page show. */
  onWorkspacesChanged: () => Promise<void>;
}

export function TeamPage({ workspaces, onWorkspacesChanged }: PageProps) {
  // The list was read when the app started: grants made since then show here.
  useEffect(() => {
    void onWorkspacesChanged();
  }, []);
  return (
    <div class="page admin-page" data-testid="team-page">
      <div class="toolbar">
        <h1 class="page-title">Team</h1>
        <span class="muted">Workspaces, people and your tokens on this server.</span>
      </div>
      <WorkspacesSection workspaces={workspaces} onCreated={onWorkspacesChanged} />
      <UsersSection />
      <GroupsSection />
      <TokensSection />
    </div>
  );
}

/** What `load` answers, read again whenever `reload` changes; `error` says why it could not be. */
function useLoaded<T>(
  load: (signal: AbortSignal) => Promise<T>,
  reload = 0,
): { value: T | null; error: string | null } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ac = new AbortController();
    load(ac.signal).then(
      (v) => {
        setValue(v);
        setError(null);
      },
      (e) => {
        if (!isAbort(e)) setError(errorText(e));
      },
    );
    return () => ac.abort();
  }, [reload]);
  return { value, error };
}

/** Why `name` cannot name a workspace, or null when it can. The server's rule (1 to 64 of
 * a-z 0-9 . _ -, starting with a letter or digit), checked here first so a typo is explained
 * before anything is sent. */
export function workspaceNameProblem(name: string): string | null {
  if (name === '') return 'Name the new workspace.';
  if (name.length > 64) return `A name has at most 64 characters; this one has ${name.length}.`;
  const bad = /[^a-z0-9._-]/.exec(name);
  if (bad) {
    const c = bad[0];
    const what = c === ' ' ? 'no spaces' : /[A-Z]/.test(c) ? 'no capitals' : `not ${JSON.stringify(c)}`;
    return `A name has only a-z, 0-9, ".", "_" and "-": ${what}.`;
  }
  if (!/^[a-z0-9]/.test(name)) return 'A name starts with a letter or a digit.';
  return null;
}

const yesNo = (b: boolean | undefined) => (b === undefined ? '—' : b ? 'yes' : 'no');

function WorkspacesSection({ workspaces, onCreated }: { workspaces: Workspace[]; onCreated: () => Promise<void> }) {
  const sorted = workspaces.slice().sort((a, b) => compareNames(a.name, b.name));
  return (
    <section class="admin-section" data-testid="team-workspaces" aria-labelledby="team-ws-title">
      <div class="section-head">
        <h2 id="team-ws-title">Workspaces</h2>
        <span class="muted">the ones you have a role in</span>
      </div>
      <NewWorkspaceForm onCreated={onCreated} />
      {sorted.length === 0 ? (
        <p class="panel-note">You have no role in any workspace yet.</p>
      ) : (
        <PlainTable heads={['Name', 'Your role', 'Sharing', 'Encrypted', 'Created']}>
          {sorted.map((w) => (
            <tr
              key={w.name}
              data-testid="ws-row"
              data-name={w.name}
              data-role={w.role}
              data-share={w.share ?? ''}
              data-encrypted={yesNo(w.encrypted)}
            >
              <td>
                <a href={folderHref(w.name, '')}>{w.name}</a>
                {w.home && <span class="muted"> (home)</span>}
              </td>
              <td>{w.role}</td>
              <td>{w.share ?? '—'}</td>
              <td>{yesNo(w.encrypted)}</td>
              <td>{minuteOfNs(w.created_ns ?? 0)}</td>
            </tr>
          ))}
        </PlainTable>
      )}
    </section>
  );
}

/** A name and Encrypted; the user becomes the new workspace's admin. A refused name (taken: 409)
 * is said beside the form, which keeps what was typed. */
function NewWorkspaceForm({ onCreated }: { onCreated: () => Promise<void> }) {
  const input = useRef<HTMLInputElement>(null);
  const [name, setName] = useState('');
  const [encrypted, setEncrypted] = useState(false);
  const { busy, error, setError, run } = useAction();
  const [made, setMade] = useState<Workspace | null>(null);

  const create = async () => {
    const n = name.trim();
    setMade(null);
    const problem = workspaceNameProblem(n);
    if (problem) {
      setError(problem);
      input.current?.focus();
      return;
    }
    const ok = await run(async () => {
      const w = await api.createWorkspace(n, encrypted);
      setName('');
      setEncrypted(false);
      setMade(w);
      await onCreated();
    });
    if (!ok) input.current?.focus();
  };

  return (
    <>
      <form
        class="grant-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void create();
        }}
      >
        <input
          ref={input}
          type="text"
          aria-label="New workspace's name"
          placeholder="new workspace: a-z 0-9 . _ -"
          data-testid="ws-new-name"
          value={name}
          spellcheck={false}
          autocomplete="off"
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'ws-new-error' : undefined}
          onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
        />
        <label
          class="check"
          title="Its chunks are sealed with a key of its own, which the server hands to its members only"
        >
          <input
            type="checkbox"
            data-testid="ws-new-encrypted"
            checked={encrypted}
            onChange={(e) => setEncrypted((e.currentTarget as HTMLInputElement).checked)}
          />
          Encrypted
        </label>
        <button type="submit" class="btn primary" data-testid="ws-create" disabled={busy}>
          New workspace
        </button>
      </form>
      <FormError error={error} testId="ws-create-error" id="ws-new-error" />
      {made && (
        <p class="panel-note form-done" role="status" data-testid="ws-created" data-name={made.name}>
          Workspace <a href={folderHref(made.name, '')}>{made.name}</a> made{made.encrypted ? ', encrypted' : ''}: you
          are its admin.
        </p>
      )}
    </>
  );
}

function UsersSection() {
  const { value: users, error } = useLoaded(api.users);
  const sorted = users ? users.slice().sort((a, b) => compareNames(a.name, b.name)) : null;
  return (
    <section class="admin-section" data-testid="team-users" aria-labelledby="team-users-title">
      <div class="section-head">
        <h2 id="team-users-title">Users</h2>
        <span class="muted">
          added on the server host: <code>reel server user add NAME</code>
        </span>
      </div>
      <FormError error={error} />
      {!sorted ? (
        !error && <p class="panel-note">Loading…</p>
      ) : (
        <PlainTable heads={['Name', 'Added']}>
          {sorted.map((u) => (
            <tr key={u.name} data-testid="user-row" data-name={u.name}>
              <td>{u.name}</td>
              <td>{minuteOfNs(u.created_ns)}</td>
            </tr>
          ))}
        </PlainTable>
      )}
    </section>
  );
}

function GroupsSection() {
  const { value: groups, error } = useLoaded(api.groups);
  return (
    <section class="admin-section" data-testid="team-groups" aria-labelledby="team-groups-title">
      <div class="section-head">
        <h2 id="team-groups-title">Groups</h2>
        <span class="muted">
          granted as @name; added on the server host: <code>reel server group add NAME</code>,{' '}
          <code>reel server group add-user NAME USER</code>
        </span>
      </div>
      <FormError error={error} />
      {!groups ? (
        !error && <p class="panel-note">Loading…</p>
      ) : groups.length === 0 ? (
        <p class="panel-note" data-testid="no-groups">
          No groups.
        </p>
      ) : (
        <PlainTable heads={['Group', 'Members']}>
          {groups.map((g) => (
            <tr key={g.name} data-testid="group-row" data-name={g.name} data-members={g.members.join(',')}>
              <td>@{g.name}</td>
              <td>{g.members.length ? g.members.join(', ') : <span class="muted">no members</span>}</td>
            </tr>
          ))}
        </PlainTable>
      )}
    </section>
  );
}

const MAX_TOKEN_DAYS = 3650;

/** The user's tokens (a browser's session is one: "this browser" is this one's), a form for a
 * new one, its secret shown once, and Revoke. Revoking this browser's token ends its session:
 * the list read again answers 401, and the app shows the sign-in page. */
function TokensSection() {
  const [reload, setReload] = useState(0);
  const { value: tokens, error: loadError } = useLoaded(api.tokens, reload);
  // The new token's secret: this state is its only copy in the app.
  const [fresh, setFresh] = useState<NewToken | null>(null);
  const { busy, error, run } = useAction();

  const revoke = async (t: Token) => {
    await run(async () => {
      await api.revokeToken(t.id);
      if (fresh && String(fresh.id) === String(t.id)) setFresh(null);
    });
    setReload((r) => r + 1);
  };

  return (
    <section class="admin-section" data-testid="team-tokens" aria-labelledby="team-tokens-title">
      <div class="section-head">
        <h2 id="team-tokens-title">Your tokens</h2>
        <span class="muted">for scripts, mounts (reel login) and signing in; a browser's session is one too</span>
      </div>
      <NewTokenForm
        onMade={(t) => {
          setFresh(t);
          setReload((r) => r + 1);
        }}
      />
      {fresh && <NewTokenSecret token={fresh} onDone={() => setFresh(null)} />}
      <FormError error={error || loadError} testId="token-error" />
      {!tokens ? (
        !loadError && <p class="panel-note">Loading…</p>
      ) : (
        <PlainTable heads={['Token', 'Made', 'Expires', <span class="sr-only">Actions</span>]}>
          {tokens.map((t) => (
            <tr
              key={String(t.id)}
              data-testid="token-row"
              data-id={String(t.id)}
              data-current={t.current ? 'yes' : 'no'}
              data-expires={String(t.expires_ns)}
            >
              <td>
                #{t.id}
                {t.current && (
                  <>
                    {' '}
                    <span class="current-token" data-testid="token-current">
                      this browser
                    </span>
                  </>
                )}
              </td>
              <td>{minuteOfNs(t.created_ns)}</td>
              <td>{t.expires_ns ? minuteOfNs(t.expires_ns) : 'never'}</td>
              <td class="act">
                <button
                  type="button"
                  class="btn small"
                  data-testid="token-revoke"
                  aria-label={`Revoke token ${t.id}`}
                  title={t.current ? "This browser's session: revoking it signs you out here" : undefined}
                  disabled={busy}
                  onClick={() => void revoke(t)}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </PlainTable>
      )}
    </section>
  );
}

/** Expiry in days (empty: never), checked here as the server would. */
function NewTokenForm({ onMade }: { onMade: (t: NewToken) => void }) {
  const [days, setDays] = useState('');
  const { busy, error, setError, run } = useAction();

  const make = async () => {
    const d = days.trim();
    // A text input, not type=number: a number input reads a typo as empty, which here would
    // mean a token that never expires.
    const n = d === '' ? undefined : /^[0-9]+$/.test(d) ? Number(d) : NaN;
    if (n !== undefined && !(n >= 1 && n <= MAX_TOKEN_DAYS)) {
      setError(`Expires in: a whole number of days, 1 to ${MAX_TOKEN_DAYS} (empty: never).`);
      return;
    }
    await run(async () => {
      onMade(await api.createToken(n));
      setDays('');
    });
  };

  return (
    <>
      <form
        class="grant-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void make();
        }}
      >
        <label class="check">
          Expires in
          <input
            type="text"
            inputMode="numeric"
            class="days"
            placeholder="never"
            aria-label="Expires in (days; empty: never)"
            data-testid="token-days"
            value={days}
            autocomplete="off"
            onInput={(e) => setDays((e.currentTarget as HTMLInputElement).value)}
          />
          days
        </label>
        <button type="submit" class="btn primary" data-testid="token-create" disabled={busy}>
          New token
        </button>
      </form>
      <FormError error={error} testId="token-create-error" />
    </>
  );
}

/** The secret of a token just made, this once, with Copy. */
function NewTokenSecret({ token, onDone }: { token: NewToken; onDone: () => void }) {
  const box = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);

  const copy = async () => {
    const el = box.current;
    if (!el) return;
    el.focus();
    el.select();
    // navigator.clipboard exists in secure contexts only (HTTPS, loopback): on a plain-http LAN
    // address the secret is left selected for the keyboard's copy.
    if (navigator.clipboard) {
      try {
        await navigator.clipboard.writeText(token.token);
        setCopied('Copied.');
        return;
      } catch {
        // refused (no permission): the selection still works
      }
    }
    setCopied('Selected: copy it with Ctrl+C (⌘C).');
  };

  return (
    <div class="token-secret" role="status" data-testid="new-token" data-id={String(token.id)}>
      <p>
        <strong>Copy the new token now: it will not be shown again.</strong>{' '}
        {token.expires_ns ? `It expires ${minuteOfNs(token.expires_ns)}.` : 'It never expires.'}
      </p>
      <div class="sign-in-row">
        <input
          ref={box}
          type="text"
          readOnly
          class="mono"
          aria-label="The new token"
          data-testid="new-token-secret"
          value={token.token}
          spellcheck={false}
          autocomplete="off"
          onFocus={(e) => (e.currentTarget as HTMLInputElement).select()}
        />
        <button type="button" class="btn primary" data-testid="copy-token" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" class="btn" data-testid="new-token-done" onClick={onDone}>
          Done
        </button>
      </div>
      {copied && (
        <p class="panel-note" data-testid="copy-state">
          {copied}
        </p>
      )}
    </div>
  );
}
