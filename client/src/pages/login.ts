/** `#/login`: email and password. The default page when nobody is logged in. */
import { ApiRequestError, getSetupNeeded, login } from '../api.js';
import { takeLoginNotice } from '../auth.js';
import { h, replaceChildren } from '../ui/dom.js';
import { field, formError, input, onSubmit } from '../ui/form.js';
import type { PageContext } from './context.js';

export function loginPage(context: PageContext, next: string | null): () => void {
  const { main, headerMain } = context;
  let alive = true;
  document.title = 'Log in · Concord';

  const notice = takeLoginNotice();
  const email = input({
    id: 'login-email',
    type: 'email',
    autocomplete: 'username',
    required: true,
    maxLength: 254,
  });
  const password = input({
    id: 'login-password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const error = formError('login-error');
  const submit = h(
    'button',
    { className: 'primary', attrs: { type: 'submit', 'data-testid': 'login-submit' } },
    'Log in',
  );
  const form = h(
    'form',
    { className: 'card auth-card', attrs: { 'data-testid': 'login-form', novalidate: true } },
    h('h1', null, 'Log in to Concord'),
    notice
      ? h(
          'p',
          { className: 'notice', attrs: { role: 'status', 'data-testid': 'login-notice' } },
          notice,
        )
      : null,
    field('Email', email),
    field('Password', password),
    error.element,
    h('div', { className: 'actions' }, submit),
    h(
      'p',
      { className: 'field-help' },
      'No account yet? Ask the chair of your group or the Secretariat for an invitation link.',
    ),
  );
  onSubmit(
    form,
    submit,
    async () => {
      if (!email.value.trim() || !password.value) {
        throw new Error('Enter your email and password.');
      }
      try {
        const me = await login(email.value.trim(), password.value);
        if (alive) context.signedIn(me, next);
      } catch (e) {
        if (e instanceof ApiRequestError && e.status === 429 && e.retryAfter) {
          const minutes = Math.ceil(e.retryAfter / 60);
          throw new Error(
            `${e.message} (about ${minutes} minute${minutes === 1 ? '' : 's'} from now)`,
          );
        }
        password.select();
        throw e;
      }
    },
    (e) => error.show(e),
  );

  // A server with no accounts yet: say where the first one comes from.
  const setupHint = h('p', {
    className: 'notice',
    attrs: { hidden: true, role: 'status', 'data-testid': 'setup-hint' },
  });
  getSetupNeeded()
    .then(({ needed }) => {
      if (!alive || !needed) return;
      setupHint.textContent =
        'This Concord has no accounts yet. Open the one-time setup link the server printed when it first started.';
      setupHint.hidden = false;
    })
    .catch(() => {});

  replaceChildren(headerMain, h('span', { className: 'header-title' }, 'Log in'));
  replaceChildren(main, h('div', { className: 'page narrow-page' }, setupHint, form));
  email.focus();
  return () => {
    alive = false;
  };
}
