// A team workspace's instances (its mounts, as each last reported itself to the team server):
// the file page's "On an instance" panel, which has one of them hydrate, pin, unpin or publish
// the file through a pipeline task, and the admin page's table of them.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, isAbort, type Instance, type Task, type TaskKind } from './api';
import { compareNames, humanSize, humanTime, isoOfNs } from './format';
import { errorText } from './messages';
import { canWrite } from './server';
import { FormError, PlainTable } from './Table';

const POLL_MS = 1000;

/** Online ones first (they can take a task), then by name. */
const byOnlineThenName = (a: Instance, b: Instance) =>
  Number(b.online) - Number(a.online) || compareNames(a.name, b.name);

/** The instances of `ws`, asked again when `look` changes; an error is kept to show inline. */
function useInstances(ws: string, look: number, enabled = true): { list: Instance[] | null; error: string | null } {
  const [list, setList] = useState<Instance[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!enabled) return undefined;
    const ac = new AbortController();
    api.instances(ws, ac.signal).then(
      (l) => {
        setList(l.slice().sort(byOnlineThenName));
        setError(null);
      },
      (e) => {
        if (!isAbort(e)) setError(errorText(e)); // a list read before stays
      },
    );
    return () => ac.abort();
  }, [ws, look, enabled]);
  return { list, error };
}

/** A count of the report; 0 when the instance did not send it. */
const count = (n: number | undefined) => (n ?? 0).toLocaleString('en-US');

const finished = (t: Task) => t.state === 'done' || t.state === 'failed';

const ACTIONS: { kind: TaskKind; label: string; title: string }[] = [
  { kind: 'hydrate', label: 'Hydrate', title: "Fetch every byte of it into the instance's cache" },
  { kind: 'pin', label: 'Pin', title: "Keep it in the instance's cache (fetching what is missing)" },
  { kind: 'unpin', label: 'Unpin', title: 'Let the instance free its cache space again' },
  {
    kind: 'publish',
    label: 'Publish',
    title: 'Publish its current version from the instance (once the files closed there are committed)',
  },
];

interface PanelProps {
  ws: string;
  /** From the workspace root, as the task takes it. */
  path: string;
  name: string;
  role: string;
}

/** Sends a task for this file to a chosen online instance and follows the tasks it sent. Only
 * writers and admins may send tasks: readers get a line saying so. */
export function InstancePanel({ ws, path, name, role }: PanelProps) {
  const writer = canWrite(role);
  const [look, setLook] = useState(0);
  const { list, error: listError } = useInstances(ws, look, writer);
  const [chosen, setChosen] = useState('');
  const [tasks, setTasks] = useState<Task[]>([]); // sent from this page, newest first
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // The one chosen stays while it is online; else the first online one.
  const online = list ? list.filter((i) => i.online) : [];
  const target = online.some((i) => i.name === chosen) ? chosen : (online[0]?.name ?? '');

  const send = async (kind: TaskKind) => {
    if (!target || busy) return;
    setBusy(true);
    setError(null);
    try {
      const t = await api.sendTask(target, kind, path);
      setTasks((ts) => [t, ...ts.filter((x) => x.id !== t.id)].slice(0, 5));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="instance-panel" data-testid="instance-panel" aria-labelledby="instance-title">
      <h2 class="side-title" id="instance-title">
        On an instance
      </h2>
      {!writer ? (
        <p class="panel-note" data-testid="instance-readonly">
          Writers of {ws} can have one of its instances hydrate, pin or publish {name}.
        </p>
      ) : !list ? (
        !listError && <p class="panel-note">Loading…</p>
      ) : list.length === 0 ? (
        <p class="panel-note" data-testid="no-instances">
          No instance of {ws} has reported to the server: mount the workspace on a machine first.
        </p>
      ) : (
        <>
          <div class="instance-choice">
            <select
              aria-label="Instance"
              data-testid="instance-select"
              value={target}
              onChange={(e) => setChosen((e.currentTarget as HTMLSelectElement).value)}
            >
              {!target && (
                <option value="" disabled>
                  No instance is online
                </option>
              )}
              {list.map((i) => (
                <option key={i.name} value={i.name} disabled={!i.online} data-online={i.online ? 'yes' : 'no'}>
                  {i.name} · {i.user}@{i.host}
                  {i.online ? '' : ' (offline)'}
                </option>
              ))}
            </select>
            <button
              type="button"
              class="btn small"
              data-testid="instances-refresh"
              title="Ask the server for the instances again"
              onClick={() => setLook((n) => n + 1)}
            >
              Refresh
            </button>
          </div>
          <div class="tier-actions">
            {ACTIONS.map((a) => (
              <button
                type="button"
                class="btn small"
                key={a.kind}
                data-testid={`task-${a.kind}`}
                title={a.title}
                disabled={busy || !target}
                onClick={() => send(a.kind)}
              >
                {a.label}
              </button>
            ))}
          </div>
        </>
      )}
      <FormError error={error || listError} testId="instance-error" />
      {tasks.length > 0 && (
        <ul class="tasks" data-testid="tasks">
          {tasks.map((t) => (
            <TaskRow key={t.id} task={t} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** A task sent from the page: asked for every second until it is done or failed, or the page goes. */
function TaskRow({ task }: { task: Task }) {
  const [t, setT] = useState(task);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (finished(task)) return undefined;
    const ac = new AbortController();
    let timer: number | undefined;
    const poll = async () => {
      try {
        const now = await api.task(task.id, ac.signal);
        if (ac.signal.aborted) return;
        setT(now);
        setError(null);
        if (finished(now)) return;
      } catch (e) {
        if (ac.signal.aborted) return;
        setError(errorText(e));
        // Gone, or not ours to see: asking again would not change that. A lost connection may pass.
        if (e instanceof ApiError && e.status >= 400 && e.status < 500) return;
      }
      timer = window.setTimeout(poll, POLL_MS);
    };
    timer = window.setTimeout(poll, POLL_MS);
    return () => {
      ac.abort();
      window.clearTimeout(timer);
    };
  }, [task.id]);
  return (
    <li class={`task task-${t.state}`} data-testid="task" data-id={t.id} data-kind={t.kind} data-state={t.state}>
      <div class="v-line">
        <span class="task-kind">{t.kind}</span>
        <span class="muted">on {t.instance}</span>
        <span class="spacer" />
        <span class={`pill state-${t.state}`} data-testid="task-state">
          {t.state}
        </span>
      </div>
      {t.message && (
        <div class="task-message" data-testid="task-message">
          {t.message}
        </div>
      )}
      {error && <div class="form-error">{error}</div>}
    </li>
  );
}

/** Every instance of `ws`: who runs it where, whether it is online, its cache and queues. */
export function InstancesTable({ ws }: { ws: string }) {
  const [look, setLook] = useState(0);
  const { list, error } = useInstances(ws, look);
  return (
    <section class="admin-section" data-testid="instances" aria-labelledby="instances-title">
      <div class="section-head">
        <h2 id="instances-title">Instances</h2>
        <span class="muted">mounts of {ws}, as each last reported itself</span>
        <span class="spacer" />
        <button type="button" class="btn small" data-testid="instances-refresh" onClick={() => setLook((n) => n + 1)}>
          Refresh
        </button>
      </div>
      <FormError error={error} />
      {!list ? (
        !error && <p class="panel-note">Loading…</p>
      ) : list.length === 0 ? (
        <p class="panel-note" data-testid="no-instances">
          No instance of {ws} has reported to the server.
        </p>
      ) : (
        <PlainTable
          heads={[
            'Name',
            'User',
            'Host',
            'Online',
            { label: 'Cache used / limit', num: true },
            { label: 'Transfer queue', num: true },
            { label: 'Pending commits', num: true },
            'Last seen',
          ]}
        >
          {list.map((i) => {
            const seen = isoOfNs(i.last_seen_ns);
            return (
              <tr key={i.name} data-testid="instance" data-name={i.name} data-online={i.online ? 'yes' : 'no'}>
                <td class="mono">{i.name}</td>
                <td>{i.user}</td>
                <td>{i.host}</td>
                <td>
                  <span class={`pill state-${i.online ? 'yes' : 'no'}`}>{i.online ? 'online' : 'offline'}</span>
                </td>
                <td class="num" title={`${count(i.cache_bytes)} bytes`}>
                  {humanSize(i.cache_bytes)} / {i.cache_limit > 0 ? humanSize(i.cache_limit) : 'no limit'}
                </td>
                <td class="num">{count(i.transfer_queue)}</td>
                <td class="num">{count(i.pending_commits)}</td>
                <td title={seen}>{humanTime(seen)}</td>
              </tr>
            );
          })}
        </PlainTable>
      )}
    </section>
  );
}
