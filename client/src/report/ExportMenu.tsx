/**
 * The report's "Export" menu in the header: the .docx layouts and options and Akoma Ntoso as
 * downloads from the export endpoint (for the roles the matrix's `export` allows), and
 * "Print / PDF" for everyone who reads (the print stylesheet lays the document out alone).
 */
import { useRef } from 'preact/hooks';
import { roleCan } from '../../../shared/roles.js';
import { useDismissableDetails } from '../ui/dismiss.js';
import type { SessionSignals } from './sessionSignals.js';

interface ExportChoice {
  label: string;
  query: string;
  testid: string;
  /** Only for those who set statuses (the Chair's working copy). */
  chairCopy?: true;
}

export const EXPORT_CHOICES: readonly ExportChoice[] = [
  {
    label: 'Word: manuscript for submission',
    query: 'format=docx&layout=manuscript',
    testid: 'export-manuscript',
  },
  {
    label: 'Word: issued-document look',
    query: 'format=docx&layout=issued',
    testid: 'export-issued',
  },
  {
    label: 'Word: square brackets highlighted',
    query: 'format=docx&layout=manuscript&options=brackets',
    testid: 'export-brackets',
  },
  {
    label: 'Word: with paragraph statuses',
    query: 'format=docx&layout=manuscript&options=status',
    testid: 'export-status',
    chairCopy: true,
  },
  { label: 'Akoma Ntoso XML', query: 'format=akn', testid: 'export-akn' },
];

export function exportHref(reportId: string, query: string): string {
  return `/api/reports/${encodeURIComponent(reportId)}/export?${query}`;
}

export function ExportMenu({ reportId, live }: { reportId: string; live: SessionSignals }) {
  const details = useRef<HTMLDetailsElement>(null);
  const access = live.access.value;

  // Closed by a click elsewhere or Escape (the focus goes back to the summary).
  useDismissableDetails(details);

  if (!access) return null;
  const mayExport = roleCan(access.role, 'export');
  const setsStatus = roleCan(access.role, 'setStatus');
  const close = () => {
    if (details.current) details.current.open = false;
  };
  return (
    <details class="export-menu" ref={details} data-testid="export-menu">
      <summary>Export</summary>
      <div class="menu" role="menu">
        {mayExport
          ? EXPORT_CHOICES.filter((c) => !c.chairCopy || setsStatus).map((c) => (
              <a
                key={c.testid}
                class="menu-item"
                role="menuitem"
                href={exportHref(reportId, c.query)}
                download
                data-testid={c.testid}
                onClick={close}
              >
                {c.label}
              </a>
            ))
          : null}
        <button
          class="menu-item"
          type="button"
          role="menuitem"
          data-testid="print"
          onClick={() => {
            close();
            window.print();
          }}
        >
          Print / PDF
        </button>
      </div>
    </details>
  );
}
