/** `#/`: the reports, a form to start a new one, renaming. */
import { REPORT_TITLE_MAX, type ReportSummary } from '../../../shared/api.js';
import { TEMPLATES, type TemplateId } from '../../../shared/templates.js';
import { createReport, errorMessage, listReports, renameReport } from '../api.js';
import { h, replaceChildren } from '../ui/dom.js';
import { startInlineEdit } from '../ui/inlineEdit.js';
import type { PageContext } from './context.js';
import { reportHref } from './routes.js';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

function templateName(id: TemplateId): string {
  return TEMPLATES.find((t) => t.id === id)?.name ?? id;
}

export function reportListPage({ main, headerMain }: PageContext): () => void {
  let alive = true;
  const error = h('p', {
    className: 'form-error',
    attrs: { role: 'alert', 'data-testid': 'error' },
  });
  const showError = (e: unknown) => {
    error.textContent = e === null ? '' : errorMessage(e);
  };

  // New report form.
  const titleInput = h('input', {
    attrs: {
      id: 'new-title',
      name: 'title',
      type: 'text',
      required: true,
      maxlength: REPORT_TITLE_MAX,
      autocomplete: 'off',
      placeholder: 'e.g. Report of the Group of Governmental Experts, zero draft',
      'data-testid': 'new-title',
    },
  });
  const templateSelect = h(
    'select',
    { attrs: { id: 'new-template', name: 'template', 'data-testid': 'new-template' } },
    ...TEMPLATES.map((t) => h('option', { attrs: { value: t.id } }, t.name)),
  );
  const templateHelp = h('p', { className: 'field-help', attrs: { id: 'new-template-help' } });
  templateSelect.setAttribute('aria-describedby', 'new-template-help');
  const describeTemplate = () => {
    templateHelp.textContent =
      TEMPLATES.find((t) => t.id === templateSelect.value)?.description ?? '';
  };
  templateSelect.addEventListener('change', describeTemplate);
  describeTemplate();
  const submit = h('button', { className: 'primary', attrs: { type: 'submit' } }, 'Create report');
  const form = h(
    'form',
    { className: 'new-report', attrs: { 'data-testid': 'new-report' } },
    h('h2', null, 'New report'),
    h(
      'div',
      { className: 'field' },
      h('label', { attrs: { for: 'new-title' } }, 'Title'),
      titleInput,
    ),
    h(
      'div',
      { className: 'field' },
      h('label', { attrs: { for: 'new-template' } }, 'Template'),
      templateSelect,
      templateHelp,
    ),
    h('div', { className: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const title = titleInput.value.trim();
    if (!title) {
      showError(new Error('Give the report a title.'));
      titleInput.focus();
      return;
    }
    submit.disabled = true;
    showError(null);
    try {
      const report = await createReport({ title, template: templateSelect.value as TemplateId });
      window.location.hash = reportHref(report.id);
    } catch (e) {
      showError(e);
    } finally {
      submit.disabled = false;
    }
  });

  // The list.
  const list = h('ul', { className: 'report-list', attrs: { 'data-testid': 'report-list' } });
  const status = h('p', { className: 'muted' }, 'Loading reports…');

  const row = (report: ReportSummary): HTMLElement => {
    const link = h(
      'a',
      { className: 'report-link', attrs: { href: reportHref(report.id) } },
      report.title,
    );
    const rename = h(
      'button',
      {
        className: 'link-button',
        attrs: { type: 'button', 'aria-label': `Rename ${report.title}` },
      },
      'Rename',
    );
    rename.addEventListener('click', () => {
      rename.hidden = true;
      startInlineEdit(link, {
        value: report.title,
        label: 'Report title',
        maxLength: REPORT_TITLE_MAX,
        testid: 'rename-input',
        commit: async (title) => {
          const updated = await renameReport(report.id, title);
          Object.assign(report, updated);
          link.textContent = updated.title;
          rename.setAttribute('aria-label', `Rename ${updated.title}`);
          showError(null);
        },
        onError: showError,
        done: () => {
          rename.hidden = false;
        },
      });
    });
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

  const load = async () => {
    try {
      const reports = await listReports();
      if (!alive) return;
      reports.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
      status.textContent = reports.length === 0 ? 'No reports yet: start one below.' : '';
      status.hidden = reports.length > 0;
      replaceChildren(list, ...reports.map(row));
    } catch (e) {
      if (!alive) return;
      status.textContent = `Could not load the reports: ${errorMessage(e)}`;
    }
  };

  replaceChildren(headerMain, h('span', { className: 'header-title' }, 'Reports'));
  replaceChildren(
    main,
    h(
      'div',
      { className: 'page list-page' },
      h('section', { className: 'reports' }, h('h1', null, 'Reports'), status, list),
      error,
      form,
    ),
  );
  void load();
  return () => {
    alive = false;
  };
}
