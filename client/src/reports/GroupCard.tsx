/** One group on the home page: its name, my role there, the members link and its reports. */
import type { ReportSummary } from '../../../shared/api.js';
import { roleCan } from '../../../shared/roles.js';
import { groupHref } from '../app/routes.js';
import type { Membership } from '../auth.js';
import { roleAndState } from '../identity.js';
import { ReportItem } from './ReportItem.js';

export function GroupCard(props: {
  group: Membership;
  /** Null while loading. */
  reports: ReportSummary[] | null;
  failed: boolean;
  onError(error: unknown): void;
}) {
  const { group: g, reports } = props;
  const canCreate = roleCan(g.role, 'createReport');
  const status = props.failed
    ? 'Could not load the reports.'
    : reports === null
      ? 'Loading reports…'
      : reports.length > 0
        ? null
        : canCreate
          ? 'No reports yet: start one below.'
          : 'No reports yet.';
  return (
    <section class="card group-card" data-testid="group" data-group-id={g.id}>
      <div class="group-head">
        <h2 class="group-name" data-testid="group-name">
          {g.name}
        </h2>
        <span class="role-badge" data-testid="group-role">
          {roleAndState(g.role, g.represents)}
        </span>
        <a class="group-members-link" href={groupHref(g.id)} data-testid="group-members-link">
          {roleCan(g.role, 'manageMembers') ? 'Members and invitations' : 'Members'}
        </a>
      </div>
      {status ? <p class="muted">{status}</p> : null}
      <ul class="report-list" data-testid="report-list">
        {(reports ?? []).map((r) => (
          <ReportItem key={r.id} report={r} canRename={canCreate} onError={props.onError} />
        ))}
      </ul>
    </section>
  );
}
