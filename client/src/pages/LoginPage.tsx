/** `#/login`: email and password. The default page when nobody is logged in. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiRequestError, getSetupNeeded, login } from '../api.js';
import { signedIn } from '../app/account.js';
import { Frame } from '../app/Frame.js';
import { usePageTitle } from '../app/page.js';
import { takeLoginNotice } from '../auth.js';
import { FormError, TextField, useSubmit } from '../ui/form.js';

export function LoginPage({ next }: { next: string | null }) {
  usePageTitle('Log in · Concord');
  const [notice] = useState(takeLoginNotice);
  const [setupNeeded, setSetupNeeded] = useState(false);
  const email = useRef<HTMLInputElement>(null);
  const password = useRef<HTMLInputElement>(null);

  useEffect(() => {
    email.current?.focus();
    // A server with no accounts yet: say where the first one comes from.
    let alive = true;
    getSetupNeeded()
      .then(({ needed }) => {
        if (alive) setSetupNeeded(needed);
      })
      .catch(() => {});
    return () => {
      alive = false;
    };
  }, []);

  const submit = useSubmit(async () => {
    const address = email.current?.value.trim() ?? '';
    const secret = password.current?.value ?? '';
    if (!address || !secret) throw new Error('Enter your email and password.');
    try {
      signedIn(await login(address, secret), next);
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 429 && e.retryAfter) {
        const minutes = Math.ceil(e.retryAfter / 60);
        throw new Error(
          `${e.message} (about ${minutes} minute${minutes === 1 ? '' : 's'} from now)`,
        );
      }
      password.current?.select();
      throw e;
    }
  });

  return (
    <Frame header={<span class="header-title">Log in</span>}>
      <div class="page narrow-page">
        {setupNeeded ? (
          <p class="notice" role="status" data-testid="setup-hint">
            This Concord has no accounts yet. Open the one-time setup link the server printed when
            it first started.
          </p>
        ) : null}
        <form class="card auth-card" data-testid="login-form" noValidate onSubmit={submit.onSubmit}>
          <h1>Log in to Concord</h1>
          {notice ? (
            <p class="notice" role="status" data-testid="login-notice">
              {notice}
            </p>
          ) : null}
          <TextField
            id="login-email"
            label="Email"
            type="email"
            autocomplete="username"
            required
            maxLength={254}
            inputRef={email}
          />
          <TextField
            id="login-password"
            label="Password"
            type="password"
            autocomplete="current-password"
            required
            inputRef={password}
          />
          <FormError testid="login-error" error={submit.error} />
          <div class="actions">
            <button class="primary" type="submit" data-testid="login-submit" disabled={submit.busy}>
              Log in
            </button>
          </div>
          <p class="field-help">
            No account yet? Ask the chair of your group or the Secretariat for an invitation link.
          </p>
        </form>
      </div>
    </Frame>
  );
}
