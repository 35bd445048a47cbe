/** `#/account`: who I am, my groups, and the change-password form. */
import { useRef, useState } from 'preact/hooks';
import { changePassword } from '../api.js';
import { Frame } from '../app/Frame.js';
import { usePageTitle } from '../app/page.js';
import { groupHref, LIST_HREF } from '../app/routes.js';
import { currentMe } from '../auth.js';
import { roleAndState } from '../identity.js';
import { FormError, TextField, useSubmit } from '../ui/form.js';
import { PasswordFields, usePasswordFields } from '../ui/PasswordFields.js';

function PasswordForm() {
  const form = useRef<HTMLFormElement>(null);
  const current = useRef<HTMLInputElement>(null);
  const next = usePasswordFields();
  const [done, setDone] = useState('');
  const submit = useSubmit(async () => {
    setDone('');
    const old = current.current?.value ?? '';
    if (!old) throw new Error('Enter your current password.');
    const password = next.value();
    await changePassword(old, password);
    form.current?.reset();
    setDone(
      'Your password has been changed. Your other sessions (other browsers) have been logged out.',
    );
  });
  return (
    <form class="card" data-testid="password-form" noValidate ref={form} onSubmit={submit.onSubmit}>
      <h2>Change password</h2>
      <TextField
        id="current-password"
        label="Current password"
        type="password"
        autocomplete="current-password"
        required
        inputRef={current}
      />
      <PasswordFields prefix="new" label="New password" handle={next} />
      <FormError testid="password-error" error={submit.error} />
      <p class="form-ok" role="status" data-testid="password-done">
        {done}
      </p>
      <div class="actions">
        <button class="primary" type="submit" data-testid="password-submit" disabled={submit.busy}>
          Change password
        </button>
      </div>
    </form>
  );
}

export function AccountPage() {
  usePageTitle('My account · Concord');
  const me = currentMe();
  if (!me) return null;
  return (
    <Frame
      header={
        <>
          <a class="back-link" href={LIST_HREF}>
            ← Reports
          </a>
          <span class="header-title">My account</span>
        </>
      }
    >
      <div class="page narrow-page">
        <section class="card">
          <h1>{me.user.displayName}</h1>
          <p class="muted" data-testid="account-email">
            {me.user.email}
          </p>
          {me.groups.length > 0 ? (
            <>
              <h2>Groups</h2>
              <ul class="plain-list">
                {me.groups.map((g) => (
                  <li key={g.id}>
                    <a href={groupHref(g.id)}>{g.name}</a>
                    <span class="muted">{` — ${roleAndState(g.role, g.represents)}`}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p>You are not a member of any group.</p>
          )}
        </section>
        <PasswordForm />
      </div>
    </Frame>
  );
}
