/** The group's audit log, for chair and secretariat: two download links (the cookie goes along). */
import { auditHref } from '../api.js';

export function AuditCard({ groupId }: { groupId: string }) {
  return (
    <section class="card" data-testid="audit">
      <h2>Audit log</h2>
      <p class="field-help">
        Every login, membership change, invitation, refused write and report change in this group.
      </p>
      <p class="audit-links">
        <a
          href={auditHref(groupId, 'csv')}
          download={`audit-${groupId}.csv`}
          data-testid="audit-csv"
        >
          Download (CSV)
        </a>
        <a
          href={auditHref(groupId, 'json')}
          download={`audit-${groupId}.json`}
          data-testid="audit-json"
        >
          Download (JSON)
        </a>
      </p>
    </section>
  );
}
