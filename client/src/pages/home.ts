/**
 * `#/`: the user's groups (name, my role and State), each with its reports; a form to start a
 * new report in a group where the role may (createReport); renaming where it may.
 */
import { REPORT_TITLE_MAX, type ReportSummary } from '../../../shared/api.js';
import { roleCan } from '../../../shared/roles.js';
import { TEMPLATES, type TemplateId } from '../../../shared/templates.js';
import { createReport, listReports, renameReport } from '../api.js';
import { currentMe, type Membership, setCurrentGroup } from '../auth.js';
import { roleAndState } from '../identity.js';
import { h, replaceChildren } from '../ui/dom.js';
import { field, formatDate, formError, input, onSubmit } from '../ui/form.js';
import { startInlineEdit } from '../ui/inlineEdit.js';
import type { PageContext } from './context.js';
import { groupHref, reportHref } from './routes.js';

function templateName(id: TemplateId): string {
  return TEMPLATES.find((t) => t.id === id)?.name ?? id;
}

export function homePage({ main, headerMain }: PageContext): () => void {
  let alive = true;
  document.title = 'Reports · Concord';
  const me = currentMe()!;
  const groups = me.groups;
  // One group: the header shows my role there.
  setCurrentGroup(groups.length === 1 ? groups[0]!.id : null);
  const error = formError('error');

  const reportRow = (report: ReportSummary, group: Membership | null): HTMLElement => {
    const link = h(
      'a',
      { className: 'report-link', attrs: { href: reportHref(report.id) } },
      report.title,
    );
    let rename: HTMLButtonElement | null = null;
    if (group && roleCan(group.role, 'createReport')) {
      const button = h(
        'button',
        {
          className: 'link-button',
          attrs: { type: 'button', 'aria-label': `Rename ${report.title}` },
        },
        'Rename',
      );
      button.addEventListener('click', () => {
        button.hidden = true;
        startInlineEdit(link, {
          value: report.title,
          label: 'Report title',
          maxLength: REPORT_TITLE_MAX,
          testid: 'rename-input',
          commit: async (title) => {
            const updated = await renameReport(report.id, title);
            Object.assign(report, updated);
            link.textContent = updated.title;
            button.setAttribute('aria-label', `Rename ${updated.title}`);
            error.show(null);
          },
          onError: (e) => error.show(e),
          done: () => {
            button.hidden = false;
          },
        });
      });
      rename = button;
    }
    return h(
      'li',
      { className: 'report-item', attrs: { 'data-report-id': report.id } },
      h('div', { className: 'report-item-title' }, link, rename),
      h(
        'div',
        { className: 'report-item-meta muted' },
        `${templateName(report.template)} · updated ${formatDate(report.updatedAt)}`,
      ),
    );
  };

  // One section per group; reports arrive later.
  const lists = new Map<string, HTMLUListElement>();
  const statuses = new Map<string, HTMLElement>();
  const groupSection = (g: Membership): HTMLElement => {
    const list = h('ul', { className: 'report-list', attrs: { 'data-testid': 'report-list' } });
    const status = h('p', { className: 'muted' }, 'Loading reports…');
    lists.set(g.id, list);
    statuses.set(g.id, status);
    return h(
      'section',
      { className: 'card group-card', attrs: { 'data-testid': 'group', 'data-group-id': g.id } },
      h(
        'div',
        { className: 'group-head' },
        h('h2', { className: 'group-name', attrs: { 'data-testid': 'group-name' } }, g.name),
        h(
          'span',
          { className: 'role-badge', attrs: { 'data-testid': 'group-role' } },
          roleAndState(g.role, g.represents),
        ),
        h(
          'a',
          {
            className: 'group-members-link',
            attrs: { href: groupHref(g.id), 'data-testid': 'group-members-link' },
          },
          roleCan(g.role, 'manageMembers') ? 'Members and invitations' : 'Members',
        ),
      ),
      status,
      list,
    );
  };

  // New report form, for the groups where my role may create reports.
  const creatable = groups.filter((g) => roleCan(g.role, 'createReport'));
  let form: HTMLFormElement | null = null;
  if (creatable.length > 0) {
    const titleInput = input({
      id: 'new-title',
      required: true,
      maxLength: REPORT_TITLE_MAX,
      placeholder: 'e.g. Report of the Group of Governmental Experts, zero draft',
    });
    const templateSelect = h(
      'select',
      { attrs: { id: 'new-template', name: 'template', 'data-testid': 'new-template' } },
      ...TEMPLATES.map((t) => h('option', { attrs: { value: t.id } }, t.name)),
    );
    const templateHelp = h('span');
    const describeTemplate = () => {
      templateHelp.textContent =
        TEMPLATES.find((t) => t.id === templateSelect.value)?.description ?? '';
    };
    templateSelect.addEventListener('change', describeTemplate);
    describeTemplate();
    const groupSelect = h(
      'select',
      { attrs: { id: 'new-group', name: 'group', 'data-testid': 'new-group' } },
      ...creatable.map((g) => h('option', { attrs: { value: g.id } }, g.name)),
    );
    const submit = h(
      'button',
      { className: 'primary', attrs: { type: 'submit', 'data-testid': 'new-submit' } },
      'Create report',
    );
    form = h(
      'form',
      { className: 'card new-report', attrs: { 'data-testid': 'new-report', novalidate: true } },
      h('h2', null, 'New report'),
      field('Title', titleInput),
      field('Template', templateSelect, templateHelp),
      creatable.length > 1
        ? field('Group', groupSelect)
        : h('p', { className: 'field-help' }, 'In ', h('strong', null, creatable[0]!.name), '.'),
      h('div', { className: 'actions' }, submit),
    );
    onSubmit(
      form,
      submit,
      async () => {
        const title = titleInput.value.trim();
        if (!title) {
          titleInput.focus();
          throw new Error('Give the report a title.');
        }
        const report = await createReport({
          title,
          template: templateSelect.value as TemplateId,
          groupId: groupSelect.value,
        });
        window.location.hash = reportHref(report.id);
      },
      (e) => error.show(e),
    );
  }

  const other = h('div');
  const load = async () => {
    try {
      const reports = await listReports();
      if (!alive) return;
      reports.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
      const byGroup = new Map<string, ReportSummary[]>();
      const orphans: ReportSummary[] = [];
      for (const r of reports) {
        if (r.groupId && lists.has(r.groupId)) {
          const list = byGroup.get(r.groupId) ?? [];
          list.push(r);
          byGroup.set(r.groupId, list);
        } else orphans.push(r);
      }
      for (const g of groups) {
        const mine = byGroup.get(g.id) ?? [];
        const status = statuses.get(g.id)!;
        status.textContent =
          mine.length > 0
            ? ''
            : roleCan(g.role, 'createReport')
              ? 'No reports yet: start one below.'
              : 'No reports yet.';
        status.hidden = mine.length > 0;
        replaceChildren(lists.get(g.id)!, ...mine.map((r) => reportRow(r, g)));
      }
      replaceChildren(
        other,
        orphans.length > 0
          ? h(
              'section',
              { className: 'card' },
              h('h2', null, 'Other reports'),
              h('ul', { className: 'report-list' }, ...orphans.map((r) => reportRow(r, null))),
            )
          : null,
      );
    } catch (e) {
      if (!alive) return;
      for (const status of statuses.values()) {
        status.hidden = false;
        status.textContent = 'Could not load the reports.';
      }
      error.show(e);
    }
  };

  replaceChildren(headerMain, h('span', { className: 'header-title' }, 'Reports'));
  replaceChildren(
    main,
    h(
      'div',
      { className: 'page list-page' },
      h('h1', null, 'Your groups'),
      groups.length === 0
        ? h(
            'p',
            { className: 'card', attrs: { 'data-testid': 'no-groups' } },
            'You are not a member of any group yet. Ask the chair of your group or the Secretariat for an invitation.',
          )
        : null,
      ...groups.map(groupSection),
      other,
      error.element,
      form,
    ),
  );
  void load();
  return () => {
    alive = false;
  };
}
