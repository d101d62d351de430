// Live updates: one loop per open app follows the workspace's change feed (long polls of
// GET /v1/workspaces/W/events) and passes each change to the pages that subscribed. Changes the
// app makes itself are passed the same way at once (notify), before the feed reports them.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type ChangeEvent } from './api';

/** A change, or null when changes were missed (the feed moved on): reload everything. */
export type Listener = (e: ChangeEvent | null) => void;

const WAIT_S = 20;
const listeners = new Set<Listener>();
const onListeners = new Set<(on: boolean) => void>();
let on = false;

function setOn(v: boolean): void {
  if (v === on) return;
  on = v;
  onListeners.forEach((f) => f(v));
}

export function subscribe(fn: Listener): () => void {
  listeners.add(fn);
  return () => void listeners.delete(fn);
}

export function notify(e: ChangeEvent | null): void {
  listeners.forEach((f) => f(e));
}

/** Calls the latest `fn` for every change while the component is mounted. */
export function useChanges(fn: Listener): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => subscribe((e) => ref.current(e)), []);
}

/** Whether the loop is following the feed now. */
export function useLiveOn(): boolean {
  const [v, setV] = useState(on);
  useEffect(() => {
    onListeners.add(setV);
    setV(on);
    return () => void onListeners.delete(setV);
  }, []);
  return v;
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = window.setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      window.clearTimeout(t);
      resolve();
    });
  });
}

async function follow(ws: string, signal: AbortSignal): Promise<void> {
  let after = -1; // no position yet
  let backoff = 0;
  let quick = false; // read without waiting (the server has too many waiting readers)
  while (!signal.aborted) {
    try {
      const start = after < 0;
      const page = await api.events(ws, Math.max(after, 0), start || quick ? 0 : WAIT_S, signal, start ? 1 : undefined);
      quick = false;
      backoff = 0;
      setOn(true);
      if (start || page.newest < after) {
        // From now on; a feed that went back (a new drive) has changes we did not see.
        if (!start) notify(null);
        after = page.newest;
        continue;
      }
      if (page.oldest > after + 1) notify(null);
      for (const e of page.events) {
        notify(e);
        after = e.seq;
      }
      if (page.events.length === 0) after = Math.max(after, page.newest);
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError && e.status === 401) break; // signed out: the app says so
      if (e instanceof ApiError && e.code === 'busy') {
        // Every waiting slot of the server is taken: look now and then instead.
        quick = true;
        await sleep(2000, signal);
        continue;
      }
      setOn(false);
      backoff = backoff ? Math.min(backoff * 2, 10000) : 1000;
      await sleep(backoff, signal);
    }
  }
  if (!signal.aborted) setOn(false);
}

/** Follows the feed of `ws` until the returned function is called; pauses while the page is hidden
 * in the browser's back-forward cache. */
export function startLive(ws: string): () => void {
  let ac = new AbortController();
  void follow(ws, ac.signal);
  const hide = () => ac.abort();
  const show = (e: PageTransitionEvent) => {
    if (!e.persisted) return;
    ac = new AbortController();
    notify(null); // what changed meanwhile was not seen
    void follow(ws, ac.signal);
  };
  window.addEventListener('pagehide', hide);
  window.addEventListener('pageshow', show);
  return () => {
    window.removeEventListener('pagehide', hide);
    window.removeEventListener('pageshow', show);
    ac.abort();
    setOn(false);
  };
}
