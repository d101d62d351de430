// The team server's sign-in: an API token, sent once in the body of POST /v1/sign-in, for an
// HttpOnly session cookie. The token is never put in a URL or in storage, and the input has no
// name, so even a form submitted without the app would not send it anywhere.
import { useRef, useState } from 'preact/hooks';
import { api } from './api';
import { errorText } from './messages';

export function TokenSignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async () => {
    const el = input.current;
    const token = el?.value.trim() ?? '';
    if (busy || !el) return;
    if (!token) {
      setError('Paste your API token first.');
      el.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.signIn(token);
      el.value = ''; // not kept in the page once it has done its work
      onSignedIn();
    } catch (e) {
      // The input keeps what was typed: a token pasted with a stray character can be fixed.
      setError(errorText(e));
      setBusy(false);
      el.focus();
    }
  };

  return (
    <div class="center-card" data-testid="sign-in-page">
      <h1>Sign in to ReelDrive</h1>
      <p>
        Sign in with an API token: an administrator makes one with <code>reel server token create USER</code> on the
        server host.
      </p>
      <form
        class="sign-in"
        method="post"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label for="sign-in-token">API token</label>
        <div class="sign-in-row">
          <input
            ref={input}
            id="sign-in-token"
            type="password"
            autocomplete="current-password"
            spellcheck={false}
            placeholder="reel_…"
            data-testid="token-input"
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'sign-in-error' : undefined}
            readOnly={busy}
            autoFocus
          />
          <button type="submit" class="btn primary" data-testid="sign-in" disabled={busy}>
            Sign in
          </button>
        </div>
        {error && (
          <p class="form-error" id="sign-in-error" role="alert" data-testid="sign-in-error">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
