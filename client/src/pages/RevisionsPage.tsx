/**
 * `#/r/<reportId>/revisions`: the report's revisions (open one, compare two), the chair's issue
 * form and the bis/ter switch. `#/r/<reportId>/revisions/<revisionId>`: one revision read-only,
 * with its numbers as they were. `#/r/<reportId>/compare/<from>/<to>`: a comparison.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { CompareResponse } from '../../../shared/compare.js';
import type { RevisionListResponse, RevisionResponse } from '../../../shared/revisions.js';
import { unDate } from '../../../shared/revisions.js';
import { roleCan } from '../../../shared/roles.js';
import { errorMessage, getReport, type ReportAccess } from '../api.js';
import { Frame } from '../app/Frame.js';
import { useCurrentGroup, usePageTitle } from '../app/page.js';
import { reportHref, revisionsHref } from '../app/routes.js';
import { exportHref } from '../report/ExportMenu.js';
import { compareRevisions, getRevision, listRevisions } from '../revisions/api.js';
import { CompareView } from '../revisions/CompareView.js';
import { IssueForm } from '../revisions/IssueForm.js';
import { NumberingSwitch } from '../revisions/NumberingSwitch.js';
import { RevisionDocument } from '../revisions/RevisionDocument.js';
import { RevisionList } from '../revisions/RevisionList.js';

/** The changes from one revision to another (or to the text now) as Word track changes. */
function changesHref(reportId: string, from: string, to: string): string {
  const q = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  return `/api/reports/${encodeURIComponent(reportId)}/export/changes?${q}`;
}

/** Loads `load()` once per `key`; the page shows its error when it fails. */
function useLoad<T>(load: () => Promise<T>, key: string) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState('');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `load` depends on.
  useEffect(() => {
    let live = true;
    load()
      .then((v) => live && setValue(v))
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [key]);
  return { value, error, setValue };
}

function RevisionFrame(props: {
  reportId: string;
  title: string;
  access: ReportAccess | null;
  error: string;
  back?: 'text' | 'revisions';
  children: ComponentChildren;
}) {
  const name = props.access?.report.title ?? '…';
  usePageTitle(`${props.title} · ${name} · Concord`);
  useCurrentGroup(props.access?.report.groupId ?? null);
  return (
    <Frame
      header={
        <>
          {props.back === 'revisions' ? (
            <a
              class="back-link"
              href={revisionsHref(props.reportId)}
              data-testid="back-to-revisions"
            >
              ← Revisions
            </a>
          ) : (
            <a class="back-link" href={reportHref(props.reportId)} data-testid="back-to-text">
              ← Text
            </a>
          )}
          <h1 class="header-title">{`${props.title} · ${name}`}</h1>
        </>
      }
    >
      <div class="page revisions-page">
        {props.error ? (
          <p class="banner is-fatal" role="alert">
            {props.error}
          </p>
        ) : null}
        {props.children}
      </div>
    </Frame>
  );
}

export function RevisionsPage({ reportId }: { reportId: string }) {
  const access = useLoad(() => getReport(reportId), reportId);
  const list = useLoad<RevisionListResponse>(() => listRevisions(reportId), reportId);
  const reload = () => {
    listRevisions(reportId).then(list.setValue, () => {});
  };
  const role = access.value?.role ?? null;
  const data = list.value;
  return (
    <RevisionFrame
      reportId={reportId}
      title="Revisions"
      access={access.value}
      error={access.error || list.error}
    >
      {data ? (
        <>
          {data.adoption ? (
            <p class="banner is-info" data-testid="adoption">
              {data.adoption.statement}
            </p>
          ) : null}
          <NumberingSwitch
            reportId={reportId}
            keepNumbers={data.keepNumbers}
            canChange={role !== null && roleCan(role, 'issueRevision') && !data.adoption}
            onChange={reload}
          />
          <RevisionList reportId={reportId} revisions={data.revisions} />
          {role && roleCan(role, 'issueRevision') && !data.adoption ? (
            <IssueForm reportId={reportId} proposedLabel={data.proposedLabel} onIssued={reload} />
          ) : null}
        </>
      ) : (
        <p class="muted">Loading the revisions…</p>
      )}
    </RevisionFrame>
  );
}

export function RevisionPage({ reportId, revisionId }: { reportId: string; revisionId: string }) {
  const access = useLoad(() => getReport(reportId), reportId);
  const revision = useLoad<RevisionResponse>(() => getRevision(revisionId), revisionId);
  const r = revision.value?.revision;
  return (
    <RevisionFrame
      reportId={reportId}
      title={r ? `${r.label} (read only)` : 'Revision'}
      access={access.value}
      error={access.error || revision.error}
      back="revisions"
    >
      {revision.value && r ? (
        <>
          <p class="revision-banner" data-testid="revision-banner">
            {`${r.label}, ${unDate(r.date)}: the text as issued, with its numbers then. Read only.`}
          </p>
          {r.coverNote ? <p class="revision-note">{r.coverNote}</p> : null}
          {access.value && roleCan(access.value.role, 'export') ? (
            <p class="revision-downloads">
              <a
                href={exportHref(reportId, `format=docx&revision=${encodeURIComponent(r.id)}`)}
                download
                data-testid="revision-export-docx"
              >
                {`Download ${r.label} (.docx)`}
              </a>
            </p>
          ) : null}
          <RevisionDocument nodes={revision.value.nodes} />
        </>
      ) : (
        <p class="muted">Opening the revision…</p>
      )}
    </RevisionFrame>
  );
}

export function ComparePage(props: { reportId: string; from: string; to: string }) {
  const access = useLoad(() => getReport(props.reportId), props.reportId);
  const comparison = useLoad<CompareResponse>(
    () => compareRevisions(props.reportId, props.from, props.to),
    `${props.reportId} ${props.from} ${props.to}`,
  );
  const c = comparison.value;
  const title = c ? `${c.from.label} → ${c.to ? c.to.label : 'text now'}` : 'Comparison';
  return (
    <RevisionFrame
      reportId={props.reportId}
      title={title}
      access={access.value}
      error={access.error || comparison.error}
      back="revisions"
    >
      {c && access.value && roleCan(access.value.role, 'export') ? (
        <p class="revision-downloads">
          <a
            href={changesHref(props.reportId, c.from.id, c.to ? c.to.id : 'live')}
            download
            data-testid="compare-export-track"
          >
            Download as Word with tracked changes (.docx)
          </a>
        </p>
      ) : null}
      {c ? <CompareView comparison={c} /> : <p class="muted">Comparing…</p>}
    </RevisionFrame>
  );
}
