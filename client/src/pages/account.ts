/** `#/account`: who I am, my groups, and the change-password form. */
import { changePassword } from '../api.js';
import { currentMe } from '../auth.js';
import { roleAndState } from '../identity.js';
import { h, replaceChildren } from '../ui/dom.js';
import { field, formError, input, newPasswordFields, onSubmit } from '../ui/form.js';
import type { PageContext } from './context.js';
import { groupHref, LIST_HREF } from './routes.js';

export function accountPage({ main, headerMain }: PageContext): () => void {
  let alive = true;
  document.title = 'My account · Concord';
  const me = currentMe()!;

  const current = input({
    id: 'current-password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const next = newPasswordFields('new', 'New password');
  const error = formError('password-error');
  const done = h('p', {
    className: 'form-ok',
    attrs: { role: 'status', 'data-testid': 'password-done' },
  });
  const submit = h(
    'button',
    { className: 'primary', attrs: { type: 'submit', 'data-testid': 'password-submit' } },
    'Change password',
  );
  const form = h(
    'form',
    { className: 'card', attrs: { 'data-testid': 'password-form', novalidate: true } },
    h('h2', null, 'Change password'),
    field('Current password', current),
    ...next.elements,
    error.element,
    done,
    h('div', { className: 'actions' }, submit),
  );
  onSubmit(
    form,
    submit,
    async () => {
      done.textContent = '';
      if (!current.value) throw new Error('Enter your current password.');
      const password = next.value();
      await changePassword(current.value, password);
      if (!alive) return;
      form.reset();
      done.textContent =
        'Your password has been changed. Your other sessions (other browsers) have been logged out.';
    },
    (e) => error.show(e),
  );

  const groups = h(
    'ul',
    { className: 'plain-list' },
    ...me.groups.map((g) =>
      h(
        'li',
        null,
        h('a', { attrs: { href: groupHref(g.id) } }, g.name),
        h('span', { className: 'muted' }, ` — ${roleAndState(g.role, g.represents)}`),
      ),
    ),
  );

  replaceChildren(
    headerMain,
    h('a', { className: 'back-link', attrs: { href: LIST_HREF } }, '← Reports'),
    h('span', { className: 'header-title' }, 'My account'),
  );
  replaceChildren(
    main,
    h(
      'div',
      { className: 'page narrow-page' },
      h(
        'section',
        { className: 'card' },
        h('h1', null, me.user.displayName),
        h('p', { className: 'muted', attrs: { 'data-testid': 'account-email' } }, me.user.email),
        me.groups.length > 0 ? h('h2', null, 'Groups') : null,
        me.groups.length > 0 ? groups : h('p', null, 'You are not a member of any group.'),
      ),
      form,
    ),
  );
  return () => {
    alive = false;
  };
}
