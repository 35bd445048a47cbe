/**
 * `#/g/<groupId>`: a group's members. Chair and secretariat (manageMembers) also see emails,
 * change roles and States, remove members, and create invitation links; they can download the
 * audit log (viewAudit). Everyone else sees the list only. The server decides every action;
 * controls a role cannot use are simply not shown.
 */
import {
  REPRESENTING_ROLES,
  ROLE_LABELS,
  ROLES,
  type Role,
  roleCan,
} from '../../../shared/roles.js';
import {
  ApiRequestError,
  auditHref,
  createInvitation,
  errorMessage,
  type GroupDetails,
  getGroup,
  type Member,
  removeMember,
  updateMember,
} from '../api.js';
import { currentMe, refreshMe, setCurrentGroup } from '../auth.js';
import { roleAndState } from '../identity.js';
import { h, replaceChildren } from '../ui/dom.js';
import { field, formatDate, formError, input, onSubmit } from '../ui/form.js';
import type { PageContext } from './context.js';
import { LIST_HREF } from './routes.js';

/** Roles that `actor` may give (only a chair appoints a chair). */
function assignableRoles(actor: Role): Role[] {
  return ROLES.filter((r) => r !== 'chair' || actor === 'chair');
}

function roleSelect(id: string, roles: Role[], value: Role, testid: string): HTMLSelectElement {
  const select = h(
    'select',
    { attrs: { id, name: 'role', 'data-testid': testid } },
    ...roles.map((r) => h('option', { attrs: { value: r } }, ROLE_LABELS[r])),
  );
  select.value = value;
  return select;
}

/** Keeps a State input enabled and required only for experts and observers. */
function linkStateToRole(select: HTMLSelectElement, state: HTMLInputElement): () => void {
  const sync = () => {
    const needs = REPRESENTING_ROLES.has(select.value as Role);
    state.disabled = !needs;
    state.required = needs;
    state.placeholder = needs ? 'e.g. Brazil, European Union' : 'Not for this role';
  };
  select.addEventListener('change', sync);
  sync();
  return sync;
}

export function groupPage(context: PageContext, groupId: string): () => void {
  const { main, headerMain } = context;
  let alive = true;
  setCurrentGroup(groupId);
  document.title = 'Members · Concord';

  const title = h('span', { className: 'header-title' }, 'Members');
  replaceChildren(
    headerMain,
    h(
      'a',
      { className: 'back-link', attrs: { href: LIST_HREF, 'data-testid': 'back-link' } },
      '← Reports',
    ),
    title,
  );
  const page = h(
    'div',
    { className: 'page group-page' },
    h('p', { className: 'muted' }, 'Loading…'),
  );
  replaceChildren(main, page);
  const error = formError('group-error');

  const render = (details: GroupDetails) => {
    const { group, me, members } = details;
    const canManage = roleCan(me.role, 'manageMembers');
    const canAudit = roleCan(me.role, 'viewAudit');
    title.textContent = group.name;
    document.title = `${group.name} · Concord`;
    const myId = currentMe()?.user.id;

    const row = (m: Member): HTMLElement => {
      const actions = h('td', { className: 'member-actions' });
      const tr = h(
        'tr',
        { attrs: { 'data-user-id': m.userId, 'data-testid': 'member' } },
        h(
          'td',
          { attrs: { 'data-testid': 'member-name' } },
          m.displayName,
          m.userId === myId ? h('span', { className: 'muted' }, ' (you)') : null,
        ),
        canManage ? h('td', { attrs: { 'data-testid': 'member-email' } }, m.email ?? '') : null,
        h('td', { attrs: { 'data-testid': 'member-role' } }, ROLE_LABELS[m.role] ?? m.role),
        h('td', { attrs: { 'data-testid': 'member-state' } }, m.represents ?? '—'),
        canManage ? actions : null,
      );
      // A secretariat may not change or remove a chair.
      const mayTouch = canManage && (m.role !== 'chair' || me.role === 'chair');
      const showButtons = () => {
        if (!mayTouch) {
          replaceChildren(actions);
          return;
        }
        replaceChildren(
          actions,
          h(
            'button',
            {
              className: 'link-button',
              attrs: {
                type: 'button',
                'data-testid': 'member-edit',
                'aria-label': `Change the role of ${m.displayName}`,
              },
              on: { click: showEdit },
            },
            'Change role',
          ),
          h(
            'button',
            {
              className: 'link-button danger',
              attrs: {
                type: 'button',
                'data-testid': 'member-remove',
                'aria-label': `Remove ${m.displayName}`,
              },
              on: { click: showRemove },
            },
            'Remove',
          ),
        );
      };
      const showEdit = () => {
        const select = roleSelect(
          `role-${m.userId}`,
          assignableRoles(me.role),
          m.role,
          'member-role-select',
        );
        select.setAttribute('aria-label', `Role of ${m.displayName}`);
        const state = input({
          id: `state-${m.userId}`,
          maxLength: 120,
          value: m.represents ?? '',
          testid: 'member-state-input',
        });
        state.setAttribute('aria-label', `State or organisation of ${m.displayName}`);
        linkStateToRole(select, state);
        const save = h(
          'button',
          { className: 'small primary', attrs: { type: 'submit', 'data-testid': 'member-save' } },
          'Save',
        );
        const form = h(
          'form',
          { className: 'member-edit', attrs: { novalidate: true } },
          select,
          state,
          save,
          h(
            'button',
            { className: 'link-button', attrs: { type: 'button' }, on: { click: showButtons } },
            'Cancel',
          ),
        );
        onSubmit(
          form,
          save,
          async () => {
            const role = select.value as Role;
            const represents = REPRESENTING_ROLES.has(role) ? state.value.trim() || null : null;
            if (REPRESENTING_ROLES.has(role) && !represents) {
              state.focus();
              throw new Error('An expert or observer represents a State or organisation.');
            }
            const updated = await updateMember(groupId, m.userId, role, represents);
            if (m.userId === myId) await refreshMe();
            if (!alive) return;
            Object.assign(m, { role: updated.role, represents: updated.represents });
            if (m.userId === myId) {
              // My own role changed: what I may do here may have changed too.
              void load();
              return;
            }
            tr.replaceWith(row(m));
          },
          (e) => error.show(e),
        );
        replaceChildren(actions, form);
        select.focus();
      };
      const showRemove = () => {
        const confirm = h(
          'button',
          {
            className: 'small danger-button',
            attrs: { type: 'button', 'data-testid': 'member-remove-confirm' },
          },
          'Remove',
        );
        confirm.addEventListener('click', async () => {
          confirm.disabled = true;
          error.show(null);
          try {
            await removeMember(groupId, m.userId);
            if (!alive) return;
            if (m.userId === myId) {
              await refreshMe();
              window.location.hash = LIST_HREF;
              return;
            }
            tr.remove();
          } catch (e) {
            error.show(e);
            confirm.disabled = false;
          }
        });
        replaceChildren(
          actions,
          h('span', { className: 'confirm-text' }, `Remove ${m.displayName} from the group?`),
          confirm,
          h(
            'button',
            { className: 'link-button', attrs: { type: 'button' }, on: { click: showButtons } },
            'Cancel',
          ),
        );
        confirm.focus();
      };
      showButtons();
      return tr;
    };

    const table = h(
      'table',
      { className: 'members', attrs: { 'data-testid': 'members' } },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { attrs: { scope: 'col' } }, 'Name'),
          canManage ? h('th', { attrs: { scope: 'col' } }, 'Email') : null,
          h('th', { attrs: { scope: 'col' } }, 'Role'),
          h('th', { attrs: { scope: 'col' } }, 'State or organisation'),
          canManage
            ? h('th', { attrs: { scope: 'col' } }, h('span', { className: 'sr-only' }, 'Actions'))
            : null,
        ),
      ),
      h('tbody', null, ...members.map(row)),
    );

    replaceChildren(
      page,
      h(
        'section',
        { className: 'card' },
        h('h1', { attrs: { 'data-testid': 'group-title' } }, group.name),
        h(
          'p',
          { className: 'muted' },
          'Your role: ',
          h(
            'strong',
            { attrs: { 'data-testid': 'my-group-role' } },
            roleAndState(me.role, me.represents),
          ),
        ),
        h('h2', null, `Members (${members.length})`),
        h('div', { className: 'table-wrap' }, table),
        error.element,
      ),
      canManage ? inviteForm(me.role) : null,
      canAudit ? auditLinks() : null,
    );
  };

  const inviteForm = (myRole: Role): HTMLElement => {
    const select = roleSelect(
      'invite-new-role',
      assignableRoles(myRole),
      'expert',
      'new-invite-role',
    );
    const state = input({ id: 'invite-new-state', maxLength: 120, testid: 'new-invite-state' });
    linkStateToRole(select, state);
    const submit = h(
      'button',
      { className: 'primary', attrs: { type: 'submit', 'data-testid': 'new-invite-submit' } },
      'Create invitation link',
    );
    const inviteError = formError('new-invite-error');
    const result = h('div', {
      className: 'invite-result',
      attrs: { 'data-testid': 'new-invite-result' },
    });
    const form = h(
      'form',
      { className: 'card', attrs: { 'data-testid': 'new-invite', novalidate: true } },
      h('h2', null, 'Invite someone'),
      h(
        'p',
        { className: 'field-help' },
        'A link for one person: it creates their account with this role. It can be used once and expires.',
      ),
      h(
        'div',
        { className: 'field-row' },
        field('Role', select),
        field('State or organisation', state),
      ),
      inviteError.element,
      h('div', { className: 'actions' }, submit),
      result,
    );
    onSubmit(
      form,
      submit,
      async () => {
        const role = select.value as Role;
        const represents = REPRESENTING_ROLES.has(role) ? state.value.trim() || null : null;
        if (REPRESENTING_ROLES.has(role) && !represents) {
          state.focus();
          throw new Error('An expert or observer represents a State or organisation: enter it.');
        }
        const inv = await createInvitation(groupId, role, represents);
        if (!alive) return;
        const url = h('input', {
          className: 'invite-url',
          attrs: {
            type: 'text',
            readonly: true,
            'aria-label': 'Invitation link',
            'data-testid': 'new-invite-url',
          },
        });
        url.value = inv.url;
        url.addEventListener('focus', () => url.select());
        const copied = h('span', {
          className: 'copy-status',
          attrs: { role: 'status', 'data-testid': 'new-invite-copied' },
        });
        const copy = h(
          'button',
          { className: 'small', attrs: { type: 'button', 'data-testid': 'new-invite-copy' } },
          'Copy link',
        );
        copy.addEventListener('click', async () => {
          try {
            await navigator.clipboard.writeText(inv.url);
            copied.textContent = 'Copied.';
          } catch {
            url.focus();
            url.select();
            copied.textContent = 'Press Ctrl-C (⌘-C) to copy the selected link.';
          }
        });
        replaceChildren(
          result,
          h(
            'p',
            null,
            'Send this link to the ',
            h('strong', null, roleAndState(inv.role, inv.represents)),
            `. It works once, until ${formatDate(inv.expiresAt)}.`,
          ),
          h('div', { className: 'copy-row' }, url, copy),
          copied,
        );
        state.value = '';
      },
      (e) => inviteError.show(e),
    );
    return form;
  };

  const auditLinks = (): HTMLElement =>
    h(
      'section',
      { className: 'card', attrs: { 'data-testid': 'audit' } },
      h('h2', null, 'Audit log'),
      h(
        'p',
        { className: 'field-help' },
        'Every login, membership change, invitation, refused write and report change in this group.',
      ),
      h(
        'p',
        { className: 'audit-links' },
        h(
          'a',
          {
            attrs: {
              href: auditHref(groupId, 'csv'),
              download: `audit-${groupId}.csv`,
              'data-testid': 'audit-csv',
            },
          },
          'Download (CSV)',
        ),
        h(
          'a',
          {
            attrs: {
              href: auditHref(groupId, 'json'),
              download: `audit-${groupId}.json`,
              'data-testid': 'audit-json',
            },
          },
          'Download (JSON)',
        ),
      ),
    );

  const load = async () => {
    try {
      const details = await getGroup(groupId);
      if (alive) render(details);
    } catch (e) {
      if (!alive) return;
      const text =
        e instanceof ApiRequestError && (e.status === 404 || e.status === 400)
          ? 'There is no such group, or you are not a member of it.'
          : `Could not load the group: ${errorMessage(e)}`;
      replaceChildren(
        page,
        h('p', { className: 'banner is-fatal', attrs: { role: 'alert' } }, text),
        h('p', null, h('a', { attrs: { href: LIST_HREF } }, 'Back to the reports')),
      );
    }
  };
  void load();
  return () => {
    alive = false;
  };
}
