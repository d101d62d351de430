// Where a file's bytes are (this machine, the edge, the cloud) and moving them, and the transfer
// queue's indicator of the folder page. A drive without tiers answers not_supported (HTTP 422): then
// none of this shows.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type PlaceAction, type Placement, type Transfers } from './api';
import { humanSize } from './format';
import { useMessages } from './messages';

/** Workspaces whose drive has no tiers (it answered not_supported): not asked again. */
const noTiers = new Set<string>();
/** Workspaces whose drive answered a tier route: it has tiers. */
const tiered = new Set<string>();
const probes = new Map<string, Promise<boolean>>();

/** Whether `e` is the answer of a drive without tiers (then `ws` is not asked again). */
export function unsupported(ws: string, e: unknown): boolean {
  if (!(e instanceof ApiError && e.code === 'not_supported')) return false;
  noTiers.add(ws);
  return true;
}

/** Whether the drive of `ws` has tiers: known once a tier route has answered, else asked of
 * GET transfers (one request, shared by whoever asks meanwhile). Rejects when it cannot tell. */
export function hasTiers(ws: string): Promise<boolean> {
  if (noTiers.has(ws) || tiered.has(ws)) return Promise.resolve(tiered.has(ws));
  let p = probes.get(ws);
  if (!p) {
    p = api
      .transfers(ws)
      .then(
        () => {
          tiered.add(ws);
          return true;
        },
        (e) => {
          if (unsupported(ws, e)) return false;
          throw e;
        },
      )
      .finally(() => probes.delete(ws));
    probes.set(ws, p);
  }
  return p;
}

const moving = (t: Transfers) => t.queued + t.running > 0;

const TIERS = [
  ['local', 'This machine'],
  ['edge', 'Edge'],
  ['cloud', 'Cloud'],
] as const;

type Published = 'yes' | 'no' | 'publishing';

function publishedState(p: Placement): Published {
  if (p.publishing_files > 0) return 'publishing';
  return p.files > 0 && p.published_files >= p.files ? 'yes' : 'no';
}

const PUBLISHED_LABEL: Record<Published, string> = { yes: 'yes', no: 'no', publishing: 'publishing…' };

/** What the notice says of a request that queued `bytes`; `p` is the placement before it. */
function placedText(action: PlaceAction, name: string, bytes: number, p: Placement | null): string {
  const n = humanSize(bytes);
  switch (action) {
    case 'publish':
      return bytes ? `Publishing ${name}: ${n} queued` : `Publishing ${name}: its bytes are on the cloud already`;
    case 'hydrate':
      return bytes ? `Bringing ${name} here: ${n} queued` : `${name} is on this machine already`;
    case 'evict':
      if (bytes) return `Freed ${n} of ${name} on this machine`;
      if (p && p.pinned_files > 0) return `${name} is pinned: unpin it to free its space here`;
      if (p && p.local_bytes === 0) return `${name} takes no space on this machine`;
      return `Nothing of ${name} can be freed yet: it is only on this machine (publish it first)`;
    case 'pin':
      return `Pinned ${name}: kept on this machine${bytes ? `, ${n} queued to bring here` : ''}`;
    case 'unpin':
      return `Unpinned ${name}: this machine may free its space again`;
  }
}

interface PanelProps {
  ws: string;
  path: string;
  name: string;
  /** Changes when the page reloads the file (a change of it, e.g. published): looks again. */
  tick: number;
  /** The versions' published marks may have changed (a publish was asked for, or its transfers ended). */
  onPublished: () => void;
  /** A place action was queued: where the bytes are is changing. */
  onPlaced?: () => void;
}

/** Bytes of the file per tier, pinned and published, and the buttons that move them. While
 * transfers run (or a publish waits for them) it looks again every second. */
export function TiersPanel({ ws, path, name, tick, onPublished, onPlaced }: PanelProps) {
  const messages = useMessages();
  const [p, setP] = useState<Placement | null>(null);
  const [queue, setQueue] = useState<Transfers | null>(null);
  const [off, setOff] = useState(() => noTiers.has(ws));
  const [busy, setBusy] = useState(false);
  // The look under way and the next one; active: the last look saw transfers running.
  const loop = useRef<{ ac?: AbortController; timer?: number; active: boolean }>({ active: false });
  const published = useRef(onPublished);
  published.current = onPublished;

  const look = () => {
    const l = loop.current;
    l.ac?.abort();
    window.clearTimeout(l.timer);
    if (noTiers.has(ws)) return setOff(true);
    const ac = (l.ac = new AbortController());
    void (async () => {
      try {
        // The queue first: what it has finished shows in the placement read after it.
        const t = await api.transfers(ws, ac.signal);
        const now = await api.placement(ws, path, ac.signal);
        tiered.add(ws);
        if (ac.signal.aborted) return;
        setQueue(t);
        setP(now);
        const active = now.publishing_files > 0 || moving(t);
        if (active) l.timer = window.setTimeout(look, 1000);
        else if (l.active) published.current();
        l.active = active;
      } catch (e) {
        if (ac.signal.aborted) return;
        l.active = false;
        if (unsupported(ws, e)) setOff(true);
        else if (!(e instanceof ApiError && e.status === 404)) messages.error(e); // gone: the page says so
      }
    })();
  };

  useEffect(look, [tick]);
  useEffect(
    () => () => {
      loop.current.ac?.abort();
      window.clearTimeout(loop.current.timer);
    },
    [],
  );

  const act = async (action: PlaceAction) => {
    setBusy(true);
    try {
      const r = await api.place(ws, path, action);
      onPlaced?.();
      messages.notice(placedText(action, name, r.bytes, p));
      if (action === 'publish') {
        loop.current.active = true; // when its transfers are done, the versions are looked at again
        published.current(); // they show "publishing" now
      }
      look();
    } catch (e) {
      if (unsupported(ws, e)) setOff(true);
      else messages.error(e);
    } finally {
      setBusy(false);
    }
  };

  // Nothing until the drive has answered; a drive without tiers leaves only a hidden mark.
  if (off) return <span hidden data-testid="no-tiers" />;
  if (!p) return null;
  const total = p.total_bytes;
  const pub = publishedState(p);
  const pinned = p.pinned_files > 0;
  const q = queue && moving(queue) ? queue : null;
  return (
    <section class="tiers" data-testid="tiers" aria-labelledby="tiers-title">
      <h2 class="side-title" id="tiers-title">
        Where it is
      </h2>
      {TIERS.map(([key, label]) => {
        const b = p[`${key}_bytes`];
        const pct = total > 0 ? Math.min(100, (b / total) * 100) : 0;
        return (
          <div class={`tier tier-${key}`} key={key} data-testid={`tier-${key}`} data-bytes={b}>
            <span class="tier-name">{label}</span>
            <span class="tier-bar" role="presentation">
              <span style={{ width: `${pct}%` }} />
            </span>
            <span class="tier-bytes" title={`${b.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} bytes`}>
              {humanSize(b)}
            </span>
          </div>
        );
      })}
      <div class="tier-states">
        <span>
          Pinned{' '}
          <span class={`pill state-${pinned ? 'yes' : 'no'}`} data-testid="pinned" data-state={pinned ? 'yes' : 'no'}>
            {pinned ? 'yes' : 'no'}
          </span>
        </span>
        <span>
          Published{' '}
          <span class={`pill state-${pub}`} data-testid="published-state" data-state={pub}>
            {PUBLISHED_LABEL[pub]}
          </span>
        </span>
        {q && (
          <span class="tier-queue" title="The drive's transfer queue: every file's transfers">
            {q.paused ? 'Transfers paused' : 'Transferring'} · {humanSize(q.bytes_pending)} left
          </span>
        )}
      </div>
      <div class="tier-actions">
        {[
          { action: 'publish', label: 'Publish', title: 'Send the current version to the cloud and mark it published' },
          { action: 'hydrate', label: 'Bring here', title: 'Bring every byte of it to this machine' },
          {
            action: 'evict',
            label: 'Free up space here',
            title: "Free this machine's copy of the bytes that are safe on the edge or the cloud",
          },
          pinned
            ? { action: 'unpin', testid: 'pin', label: 'Unpin', title: 'Let this machine free its space again' }
            : { action: 'pin', label: 'Pin', title: 'Keep it on this machine (bringing what is missing)' },
        ].map((b) => (
          <button
            type="button"
            class="btn small"
            data-testid={b.testid ?? b.action}
            disabled={busy}
            title={b.title}
            onClick={() => act(b.action as PlaceAction)}
          >
            {b.label}
          </button>
        ))}
      </div>
    </section>
  );
}

/** "Transferring 3 · 120 MiB" while the drive's transfer queue has work; it looks when `kick`
 * changes (the folder changed, or something was done in it), then every 2 s while there is work.
 * onIdle: the work it saw is done (the bytes it moved are where they were going). */
export function TransfersIndicator({ ws, kick, onIdle }: { ws: string; kick: number; onIdle?: () => void }) {
  const [t, setT] = useState<Transfers | null>(null);
  const was = useRef({ moving: false, onIdle });
  was.current.onIdle = onIdle;
  useEffect(() => {
    if (noTiers.has(ws)) return undefined;
    const ac = new AbortController();
    let timer: number | undefined;
    const look = async () => {
      try {
        const now = await api.transfers(ws, ac.signal);
        tiered.add(ws);
        if (ac.signal.aborted) return;
        setT(now);
        const w = was.current;
        if (w.moving && !moving(now)) w.onIdle?.();
        w.moving = moving(now);
        if (w.moving) timer = window.setTimeout(look, 2000);
      } catch (e) {
        // A background figure: nothing to say when it cannot be read (the listing says why).
        if (ac.signal.aborted) return;
        unsupported(ws, e);
        setT(null);
      }
    };
    void look();
    return () => {
      ac.abort();
      window.clearTimeout(timer);
    };
  }, [ws, kick]);
  if (!t || !moving(t)) return null;
  const n = t.queued + t.running;
  return (
    <span
      class={`transfers${t.paused ? ' paused' : ''}`}
      data-testid="transfers"
      data-count={n}
      data-bytes={t.bytes_pending}
      title={`The drive's transfers to and from the edge and cloud: ${t.running} running, ${t.queued} queued${
        t.waiting_retry ? ` (${t.waiting_retry} waiting to retry)` : ''
      }${t.paused ? ', paused' : ''}${t.last_error ? `. Last error: ${t.last_error}` : ''}`}
    >
      {t.paused ? 'Paused' : 'Transferring'} {n.toLocaleString('en-US')} · {humanSize(t.bytes_pending)}
    </span>
  );
}
