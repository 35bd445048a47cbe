/**
 * `#/r/<reportId>`: the report editor with its header (title, presence, save state, read-only
 * badge), the consensus toolbar, the paragraph card and the comments panel. Editable only when
 * the user's role in the report's group may edit the text; a role change (close code 4409)
 * switches it without a reload. `?thread=<id>` opens it at that thread.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { CloseCode, closeReasonText, REPORT_ID_RE } from '../../../shared/protocol.js';
import { Frame, ProblemPage } from '../app/Frame.js';
import { useCurrentGroup } from '../app/page.js';
import { CommentsPanel } from '../comments/CommentsPanel.js';
import { ConsensusToolbar } from '../consensus/ConsensusToolbar.js';
import { ParagraphCard } from '../consensus/ParagraphCard.js';
import { roleAndState } from '../identity.js';
import { ReportBanners } from '../report/Banners.js';
import { EditorSheet } from '../report/EditorSheet.js';
import { ExportMenu } from '../report/ExportMenu.js';
import { MetadataPanel } from '../report/MetadataForm.js';
import { PresenceBar } from '../report/PresenceBar.js';
import { PrintNotes } from '../report/PrintNotes.js';
import {
  BackLink,
  ReadOnlyBadge,
  ReportTitle,
  SaveStateIndicator,
} from '../report/ReportHeader.js';
import { StructureToolbar } from '../report/StructureToolbar.js';
import { openReportScope, type ReportScope } from '../report/scope.js';
import { WordCount } from '../report/WordCount.js';
import { loadLastRevision } from '../revisions/lastRevision.js';

const EDIT_HELP =
  'Tab / Shift-Tab: sub-paragraph level · Escape, then Tab: leave the text · Ctrl-Alt-M: comment · Ctrl-B bold · Ctrl-I italic · Ctrl-Z undoes your own changes only';

function EditorHelp({ scope }: { scope: ReportScope }) {
  const access = scope.live.access.value;
  const text = !access
    ? ''
    : scope.live.readOnly.value
      ? `You can read this report and follow the changes live. Your role (${roleAndState(access.role, access.represents)}) cannot edit the text.`
      : EDIT_HELP;
  return (
    <p class="editor-help muted" data-testid="editor-help">
      {text}
    </p>
  );
}

function Report({ reportId, threadId }: { reportId: string; threadId: string | null }) {
  // A session whose copy diverged from the server (a refused deletion of agreed text) is
  // replaced by a fresh one built from the server: the page reopens its scope.
  const [generation, setGeneration] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new generation reopens the scope
  const scope = useMemo(
    () => openReportScope(reportId, threadId),
    [reportId, threadId, generation],
  );
  useEffect(() => () => scope.dispose(), [scope]);
  useEffect(
    () =>
      scope.session.subscribe(() => {
        if (scope.session.stale) setGeneration((g) => g + 1);
      }),
    [scope],
  );
  const access = scope.live.access.value;
  // Only once the server has let this person into the report: a stranger's page asks nothing more.
  const admitted = access !== null;
  useEffect(() => {
    if (admitted) void loadLastRevision(reportId);
  }, [reportId, admitted]);
  useCurrentGroup(access?.report.groupId ?? null);

  return (
    <Frame
      header={<ReportTitle reportId={reportId} live={scope.live} />}
      aside={
        <>
          <PresenceBar awareness={scope.session.awareness} />
          <ReadOnlyBadge live={scope.live} />
          <SaveStateIndicator live={scope.live} />
        </>
      }
      banner={<ReportBanners session={scope.session} live={scope.live} />}
    >
      <div class="page editor-page has-comments">
        <div class="editor-columns">
          <div class="editor-column">
            {/* Over the text, not in the header: the header row keeps its room for the title. */}
            <div class="report-tools">
              <WordCount
                editor={scope.editor}
                {...(access?.wordLimit ? { limit: access.wordLimit } : {})}
              />
              <ExportMenu reportId={reportId} live={scope.live} />
            </div>
            <MetadataPanel reportId={reportId} store={scope.session.metadata} live={scope.live} />
            <ConsensusToolbar
              state={scope.consensus}
              editor={scope.editor}
              role={access?.role ?? null}
            />
            <StructureToolbar editor={scope.editor} editable={scope.live.editable.value} />
            <EditorSheet scope={scope} />
            <PrintNotes editor={scope.editor} />
            <EditorHelp scope={scope} />
          </div>
          <div class="side-column">
            <ParagraphCard
              state={scope.consensus}
              editor={scope.editor}
              access={scope.live.access}
            />
            <CommentsPanel state={scope.comments} />
          </div>
        </div>
      </div>
    </Frame>
  );
}

export function ReportPage(props: { reportId: string; threadId: string | null }) {
  if (!REPORT_ID_RE.test(props.reportId)) {
    return (
      <ProblemPage
        header={<BackLink />}
        text={closeReasonText[CloseCode.InvalidReportId] ?? 'No such report.'}
      />
    );
  }
  return <Report reportId={props.reportId} threadId={props.threadId} />;
}
