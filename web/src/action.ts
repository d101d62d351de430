// A change a form sends, one at a time: whether it is in flight, and why the last one failed.
import { useState } from 'preact/hooks';
import { errorText } from './messages';

export interface Action {
  busy: boolean;
  error: string | null;
  setError: (e: string | null) => void;
  /** Runs `fn` (the error cleared first); true when it succeeded, else its text is `error`. */
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
