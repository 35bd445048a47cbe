/**
 * `#/setup/<token>`: the one-time link printed at the first start. Creates the first account, as
 * chair of the first group.
 */
import { getSetupNeeded, setup } from '../api.js';
import { h, replaceChildren } from '../ui/dom.js';
import { field, formError, input, newPasswordFields, onSubmit } from '../ui/form.js';
import type { PageContext } from './context.js';

export function setupPage(context: PageContext, token: string): () => void {
  const { main, headerMain } = context;
  let alive = true;
  document.title = 'Set up Concord';

  const name = input({ id: 'setup-name', autocomplete: 'name', required: true, maxLength: 120 });
  const email = input({
    id: 'setup-email',
    type: 'email',
    autocomplete: 'username',
    required: true,
    maxLength: 254,
  });
  const passwords = newPasswordFields('setup');
  const groupName = input({
    id: 'setup-group',
    required: true,
    maxLength: 120,
    placeholder: 'e.g. Group of Governmental Experts on ICT security 2025',
  });
  const error = formError('setup-error');
  const submit = h(
    'button',
    { className: 'primary', attrs: { type: 'submit', 'data-testid': 'setup-submit' } },
    'Create account and group',
  );
  const form = h(
    'form',
    { className: 'card auth-card', attrs: { 'data-testid': 'setup-form', novalidate: true } },
    h('h1', null, 'Set up Concord'),
    h(
      'p',
      null,
      'Create the first account. You become the chair of the first group and can then invite the others.',
    ),
    field('Your name', name, 'As the others will see it, e.g. "Ana Souza".'),
    field('Email', email),
    ...passwords.elements,
    field('Name of the group', groupName),
    error.element,
    h('div', { className: 'actions' }, submit),
  );
  onSubmit(
    form,
    submit,
    async () => {
      if (!name.value.trim()) throw new Error('Enter your name.');
      if (!email.value.trim()) throw new Error('Enter your email address.');
      const password = passwords.value();
      if (!groupName.value.trim()) throw new Error('Name the group.');
      const me = await setup({
        token,
        email: email.value.trim(),
        displayName: name.value.trim(),
        password,
        groupName: groupName.value.trim(),
      });
      if (alive) context.signedIn(me);
    },
    (e) => error.show(e),
  );

  const done = h(
    'div',
    { className: 'card auth-card', attrs: { 'data-testid': 'setup-done' } },
    h('h1', null, 'Concord is already set up'),
    h(
      'p',
      null,
      'This setup link has been used. Log in, or ask a chair of your group for an invitation.',
    ),
    h('p', null, h('a', { attrs: { href: '#/login' } }, 'Go to the login page')),
  );

  replaceChildren(headerMain, h('span', { className: 'header-title' }, 'Setup'));
  replaceChildren(
    main,
    h('div', { className: 'page narrow-page' }, h('p', { className: 'muted' }, 'Loading…')),
  );
  getSetupNeeded()
    .then(({ needed }) => {
      if (!alive) return;
      replaceChildren(main, h('div', { className: 'page narrow-page' }, needed ? form : done));
      if (needed) name.focus();
    })
    .catch(() => {
      // Cannot tell: offer the form; the server has the last word.
      if (alive) replaceChildren(main, h('div', { className: 'page narrow-page' }, form));
    });
  return () => {
    alive = false;
  };
}
