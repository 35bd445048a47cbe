/** One report in a list: its title (a link), renamed in place by those who may, and its age. */
import { useState } from 'preact/hooks';
import { REPORT_TITLE_MAX, type ReportSummary } from '../../../shared/api.js';
import { TEMPLATES, type TemplateId } from '../../../shared/templates.js';
import { renameReport } from '../api.js';
import { reportHref } from '../app/routes.js';
import { formatDate } from '../ui/form.js';
import { InlineEdit } from '../ui/InlineEdit.js';

function templateName(id: TemplateId): string {
  return TEMPLATES.find((t) => t.id === id)?.name ?? id;
}

export function ReportItem(props: {
  report: ReportSummary;
  canRename: boolean;
  onError(error: unknown): void;
}) {
  const [report, setReport] = useState(props.report);
  const [renaming, setRenaming] = useState(false);
  return (
    <li class="report-item" data-report-id={report.id}>
      <div class="report-item-title">
        {renaming ? (
          <InlineEdit
            value={report.title}
            label="Report title"
            maxLength={REPORT_TITLE_MAX}
            testid="rename-input"
            commit={async (title) => {
              setReport(await renameReport(report.id, title));
              props.onError(null);
            }}
            onError={props.onError}
            onDone={() => setRenaming(false)}
          />
        ) : (
          <a class="report-link" href={reportHref(report.id)}>
            {report.title}
          </a>
        )}
        {props.canRename && !renaming ? (
          <button
            class="link-button"
            type="button"
            aria-label={`Rename ${report.title}`}
            onClick={() => setRenaming(true)}
          >
            Rename
          </button>
        ) : null}
      </div>
      <div class="report-item-meta muted">
        {`${templateName(report.template)} · updated ${formatDate(report.updatedAt)}`}
      </div>
    </li>
  );
}
