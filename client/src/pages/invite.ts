/**
 * `#/invite/<token>`: an invitation to a group, with a role (and a State). Shows what it is,
 * and creates the account; a used, expired or unknown link says so.
 */
import { ROLE_LABELS } from '../../../shared/roles.js';
import {
  ApiRequestError,
  acceptInvitation,
  errorMessage,
  getInvitation,
  type Invitation,
} from '../api.js';
import { currentMe } from '../auth.js';
import { roleAndState } from '../identity.js';
import { h, replaceChildren } from '../ui/dom.js';
import { field, formatDate, formError, input, newPasswordFields, onSubmit } from '../ui/form.js';
import type { PageContext } from './context.js';

const ASK_AGAIN = 'Ask the chair of your group or the Secretariat for a new link.';

function problem(title: string, text: string): HTMLElement {
  return h(
    'div',
    { className: 'card auth-card', attrs: { 'data-testid': 'invite-problem' } },
    h('h1', null, title),
    h('p', { className: 'banner is-fatal', attrs: { role: 'alert' } }, text),
    h('p', null, h('a', { attrs: { href: '#/login' } }, 'Go to the login page')),
  );
}

function summary(inv: Invitation): HTMLElement {
  return h(
    'dl',
    { className: 'invite-summary', attrs: { 'data-testid': 'invite-summary' } },
    h('dt', null, 'Group'),
    h('dd', { attrs: { 'data-testid': 'invite-group' } }, inv.group.name),
    h('dt', null, 'Role'),
    h('dd', { attrs: { 'data-testid': 'invite-role' } }, ROLE_LABELS[inv.role] ?? inv.role),
    inv.represents ? h('dt', null, 'Representing') : null,
    inv.represents
      ? h('dd', { attrs: { 'data-testid': 'invite-represents' } }, inv.represents)
      : null,
    h('dt', null, 'Link valid until'),
    h('dd', null, formatDate(inv.expiresAt)),
  );
}

export function invitePage(context: PageContext, token: string): () => void {
  const { main, headerMain } = context;
  let alive = true;
  document.title = 'Invitation · Concord';
  const page = h(
    'div',
    { className: 'page narrow-page' },
    h('p', { className: 'muted' }, 'Loading the invitation…'),
  );
  replaceChildren(headerMain, h('span', { className: 'header-title' }, 'Invitation'));
  replaceChildren(main, page);

  const showForm = (inv: Invitation) => {
    const name = input({ id: 'invite-name', autocomplete: 'name', required: true, maxLength: 120 });
    const email = input({
      id: 'invite-email',
      type: 'email',
      autocomplete: 'username',
      required: true,
      maxLength: 254,
    });
    const passwords = newPasswordFields('invite');
    const error = formError('invite-error');
    const submit = h(
      'button',
      { className: 'primary', attrs: { type: 'submit', 'data-testid': 'invite-submit' } },
      'Create my account and join',
    );
    const me = currentMe();
    const form = h(
      'form',
      { className: 'card auth-card', attrs: { 'data-testid': 'invite-form', novalidate: true } },
      h('h1', null, 'Join ', h('span', { className: 'quoted' }, inv.group.name)),
      h(
        'p',
        null,
        'You are invited as ',
        h('strong', null, roleAndState(inv.role, inv.represents)),
        '.',
      ),
      summary(inv),
      me
        ? h(
            'p',
            { className: 'notice' },
            `You are logged in as ${me.user.displayName}. Accepting creates a new account and logs you in with it.`,
          )
        : null,
      field('Your name', name, 'As the others will see it, e.g. "Ana Souza".'),
      field('Email', email),
      ...passwords.elements,
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
        try {
          const me = await acceptInvitation(token, {
            email: email.value.trim(),
            displayName: name.value.trim(),
            password,
          });
          if (alive) context.signedIn(me);
        } catch (e) {
          if (e instanceof ApiRequestError && (e.status === 410 || e.status === 404)) {
            replaceChildren(
              page,
              problem('This invitation cannot be used', `${e.message} ${ASK_AGAIN}`),
            );
            return;
          }
          throw e;
        }
      },
      (e) => error.show(e),
    );
    replaceChildren(page, form);
    name.focus();
  };

  getInvitation(token)
    .then((inv) => {
      if (!alive) return;
      if (inv.state === 'used') {
        replaceChildren(
          page,
          problem(
            'This invitation has been used',
            `This link to ${inv.group.name} has already been used to create an account. If that was you, log in. Otherwise: ${ASK_AGAIN}`,
          ),
        );
      } else if (inv.state === 'expired') {
        replaceChildren(
          page,
          problem(
            'This invitation has expired',
            `This link to ${inv.group.name} expired on ${formatDate(inv.expiresAt)}. ${ASK_AGAIN}`,
          ),
        );
      } else {
        showForm(inv);
      }
    })
    .catch((e) => {
      if (!alive) return;
      const unknown = e instanceof ApiRequestError && e.status === 404;
      replaceChildren(
        page,
        unknown
          ? problem(
              'Invitation not found',
              `${e.message} Check that you copied the whole link. ${ASK_AGAIN}`,
            )
          : problem('Could not load the invitation', errorMessage(e)),
      );
    });

  return () => {
    alive = false;
  };
}
