/**
 * `#/`: the user's groups (name, my role and State), each with its reports; a form to start a
 * new report in a group where the role may (createReport), or to import one (importDocument);
 * renaming where it may.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ReportSummary } from '../../../shared/api.js';
import { roleCan } from '../../../shared/roles.js';
import { listReports } from '../api.js';
import { Frame } from '../app/Frame.js';
import { useCurrentGroup, usePageTitle } from '../app/page.js';
import { currentMe } from '../auth.js';
import { ImportForm } from '../import/ImportForm.js';
import { GroupCard } from '../reports/GroupCard.js';
import { NewReportForm } from '../reports/NewReportForm.js';
import { ReportItem } from '../reports/ReportItem.js';
import { FormError } from '../ui/form.js';

type Reports =
  | { state: 'loading' }
  | { state: 'failed' }
  | { state: 'ready'; all: ReportSummary[] };

export function HomePage() {
  usePageTitle('Reports · Concord');
  const me = currentMe();
  const groups = me?.groups ?? [];
  // One group: the header shows my role there.
  useCurrentGroup(groups.length === 1 ? groups[0]!.id : null);
  const [reports, setReports] = useState<Reports>({ state: 'loading' });
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let alive = true;
    listReports()
      .then((all) => {
        if (alive) setReports({ state: 'ready', all });
      })
      .catch((e: unknown) => {
        if (!alive) return;
        setReports({ state: 'failed' });
        setError(e);
      });
    return () => {
      alive = false;
    };
  }, []);

  const known = new Set(groups.map((g) => g.id));
  const sorted =
    reports.state === 'ready'
      ? [...reports.all].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      : [];
  const orphans = sorted.filter((r) => !r.groupId || !known.has(r.groupId));
  const creatable = groups.filter((g) => roleCan(g.role, 'createReport'));
  const importable = groups.filter((g) => roleCan(g.role, 'importDocument'));

  return (
    <Frame header={<span class="header-title">Reports</span>}>
      <div class="page list-page">
        <h1>Your groups</h1>
        {groups.length === 0 ? (
          <p class="card" data-testid="no-groups">
            You are not a member of any group yet. Ask the chair of your group or the Secretariat
            for an invitation.
          </p>
        ) : null}
        {groups.map((g) => (
          <GroupCard
            key={g.id}
            group={g}
            reports={reports.state === 'ready' ? sorted.filter((r) => r.groupId === g.id) : null}
            failed={reports.state === 'failed'}
            onError={setError}
          />
        ))}
        {orphans.length > 0 ? (
          <section class="card">
            <h2>Other reports</h2>
            <ul class="report-list">
              {orphans.map((r) => (
                <ReportItem key={r.id} report={r} canRename={false} onError={setError} />
              ))}
            </ul>
          </section>
        ) : null}
        <FormError testid="error" error={error} />
        {creatable.length > 0 ? <NewReportForm groups={creatable} onError={setError} /> : null}
        {importable.length > 0 ? <ImportForm groups={importable} /> : null}
      </div>
    </Frame>
  );
}
