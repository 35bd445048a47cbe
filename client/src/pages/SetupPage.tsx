/**
 * `#/setup/<token>`: the one-time link printed at the first start. Creates the first account, as
 * chair of the first group.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { getSetupNeeded, setup } from '../api.js';
import { signedIn } from '../app/account.js';
import { Frame } from '../app/Frame.js';
import { usePageTitle } from '../app/page.js';
import { FormError, TextField, useSubmit } from '../ui/form.js';
import { PasswordFields, usePasswordFields } from '../ui/PasswordFields.js';

function SetupForm({ token }: { token: string }) {
  const name = useRef<HTMLInputElement>(null);
  const email = useRef<HTMLInputElement>(null);
  const groupName = useRef<HTMLInputElement>(null);
  const passwords = usePasswordFields();
  useEffect(() => name.current?.focus(), []);

  const submit = useSubmit(async () => {
    const displayName = name.current?.value.trim() ?? '';
    const address = email.current?.value.trim() ?? '';
    if (!displayName) throw new Error('Enter your name.');
    if (!address) throw new Error('Enter your email address.');
    const password = passwords.value();
    const group = groupName.current?.value.trim() ?? '';
    if (!group) throw new Error('Name the group.');
    signedIn(await setup({ token, email: address, displayName, password, groupName: group }));
  });

  return (
    <form class="card auth-card" data-testid="setup-form" noValidate onSubmit={submit.onSubmit}>
      <h1>Set up Concord</h1>
      <p>
        Create the first account. You become the chair of the first group and can then invite the
        others.
      </p>
      <TextField
        id="setup-name"
        label="Your name"
        autocomplete="name"
        required
        maxLength={120}
        help='As the others will see it, e.g. "Ana Souza".'
        inputRef={name}
      />
      <TextField
        id="setup-email"
        label="Email"
        type="email"
        autocomplete="username"
        required
        maxLength={254}
        inputRef={email}
      />
      <PasswordFields prefix="setup" handle={passwords} />
      <TextField
        id="setup-group"
        label="Name of the group"
        required
        maxLength={120}
        placeholder="e.g. Group of Governmental Experts on ICT security 2025"
        inputRef={groupName}
      />
      <FormError testid="setup-error" error={submit.error} />
      <div class="actions">
        <button class="primary" type="submit" data-testid="setup-submit" disabled={submit.busy}>
          Create account and group
        </button>
      </div>
    </form>
  );
}

export function SetupPage({ token }: { token: string }) {
  usePageTitle('Set up Concord');
  // null: not known yet.
  const [needed, setNeeded] = useState<boolean | null>(null);
  useEffect(() => {
    let alive = true;
    getSetupNeeded()
      .then((answer) => {
        if (alive) setNeeded(answer.needed);
      })
      // Cannot tell: offer the form; the server has the last word.
      .catch(() => {
        if (alive) setNeeded(true);
      });
    return () => {
      alive = false;
    };
  }, []);

  return (
    <Frame header={<span class="header-title">Setup</span>}>
      <div class="page narrow-page">
        {needed === null ? (
          <p class="muted">Loading…</p>
        ) : needed ? (
          <SetupForm token={token} />
        ) : (
          <div class="card auth-card" data-testid="setup-done">
            <h1>Concord is already set up</h1>
            <p>
              This setup link has been used. Log in, or ask a chair of your group for an invitation.
            </p>
            <p>
              <a href="#/login">Go to the login page</a>
            </p>
          </div>
        )}
      </div>
    </Frame>
  );
}
