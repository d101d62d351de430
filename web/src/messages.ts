// The error banner and the notice line, shared by every page.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { ApiError, isAbort } from './api';

/** A button (run) or a link (href) shown with a notice. */
export interface NoticeAction {
  label: string;
  testId?: string;
  href?: string;
  run?: () => void;
}

export interface Messages {
  error(e: unknown): void;
  notice(text: string, action?: NoticeAction): void;
}

export const MessagesContext = createContext<Messages>({
  error: (e) => console.error(e),
  notice: (t) => console.info(t),
});

export const useMessages = (): Messages => useContext(MessagesContext);

/** The text to show for an error; null for an aborted request (nothing to show). */
export function errorText(e: unknown): string | null {
  if (isAbort(e)) return null;
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
