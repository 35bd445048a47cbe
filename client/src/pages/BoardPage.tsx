/**
 * `#/r/<reportId>/board`: the report's consensus board (share agreed, chapters by status, open
 * paragraphs and who holds them, running silences). `#/r/<reportId>/matrix`: the chair's
 * positions matrix. A click on a paragraph opens it in the text.
 *
 * Live: the report's sync session feeds the text (numbers, brackets, new paragraphs), the
 * threads and the consensus events; nothing here needs a reload.
 */
import { computed, signal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import { CloseCode, closeReasonText, REPORT_ID_RE } from '../../../shared/protocol.js';
import { roleCan } from '../../../shared/roles.js';
import { schema } from '../../../shared/schema.js';
import { Frame, ProblemPage } from '../app/Frame.js';
import { go } from '../app/navigation.js';
import { useCurrentGroup, usePageTitle } from '../app/page.js';
import { type BoardView, boardHref, reportHref } from '../app/routes.js';
import { BoardSummary } from '../board/BoardSummary.js';
import { ChapterTable } from '../board/ChapterTable.js';
import { boardChapters } from '../board/model.js';
import { OpenParagraphs } from '../board/OpenParagraphs.js';
import { PositionsMatrix } from '../board/PositionsMatrix.js';
import { requestJump } from '../consensus/jump.js';
import { SilenceList } from '../consensus/SilenceList.js';
import { citationsOf, indexDoc } from '../report/docIndex.js';
import { sessionSignals } from '../report/sessionSignals.js';
import { closeSession, openSession, type ReportSession } from '../sync/session.js';

/** How long a burst of changes (someone typing) may run before the board catches up. */
const SETTLE_MS = 120;

/** The report's text as a document index, read again at most every SETTLE_MS. */
function textIndex(session: ReportSession) {
  const version = signal(0);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const bump = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      version.value++;
    }, SETTLE_MS);
  };
  session.doc.on('update', bump);
  const index = computed(() => {
    void version.value;
    return indexDoc(yXmlFragmentToProseMirrorRootNode(session.fragment, schema));
  });
  return {
    index,
    /** Read again now (after the first sync). */
    refresh: () => version.value++,
    dispose() {
      if (timer) clearTimeout(timer);
      session.doc.off('update', bump);
    },
  };
}

function Tabs(props: { reportId: string; mode: BoardView; canMatrix: boolean }) {
  const { reportId, mode } = props;
  return (
    <nav class="board-tabs" aria-label="Views">
      <a
        class={`board-tab${mode === 'board' ? ' is-current' : ''}`}
        href={boardHref(reportId)}
        aria-current={mode === 'board' ? 'page' : undefined}
      >
        Board
      </a>
      {props.canMatrix || mode === 'matrix' ? (
        <a
          class={`board-tab${mode === 'matrix' ? ' is-current' : ''}`}
          href={boardHref(reportId, 'matrix')}
          data-testid="matrix-tab"
          aria-current={mode === 'matrix' ? 'page' : undefined}
        >
          Positions matrix
        </a>
      ) : null}
      <a class="board-tab" href={reportHref(reportId)} data-testid="text-link">
        Text
      </a>
    </nav>
  );
}

function Board({ reportId, mode }: { reportId: string; mode: BoardView }) {
  const session = useMemo(() => openSession(reportId), [reportId]);
  const live = useMemo(() => sessionSignals(session), [session]);
  const text = useMemo(() => textIndex(session), [session]);
  useEffect(
    () => () => {
      text.dispose();
      live.dispose();
      closeSession(session);
    },
    [session, live, text],
  );
  const synced = live.hasSynced.value;
  useEffect(() => {
    if (synced) text.refresh();
  }, [synced, text]);

  const access = live.access.value;
  const name = mode === 'board' ? 'Consensus board' : 'Positions matrix';
  usePageTitle(
    access
      ? `${mode === 'board' ? 'Board' : 'Matrix'} · ${access.report.title} · Concord`
      : 'Concord',
  );
  useCurrentGroup(access?.report.groupId ?? null);

  const store = session.consensus;
  const role = access?.role ?? null;
  const open = (paragraphId: string) => {
    requestJump(reportId, paragraphId);
    go(reportHref(reportId));
  };
  const ready = synced && store.loaded;
  const index = ready ? text.index.value : null;
  const chapters = index ? boardChapters(index, (id) => store.statusOf(id)) : [];

  return (
    <Frame
      header={
        <>
          <a class="back-link" href={reportHref(reportId)} data-testid="back-to-text">
            ← Text
          </a>
          <h1 class="header-title">{access ? `${name} · ${access.report.title}` : '…'}</h1>
        </>
      }
    >
      <div
        class={`page board-page is-${mode}`}
        data-testid={mode === 'board' ? 'board' : 'matrix-page'}
      >
        <Tabs
          reportId={reportId}
          mode={mode}
          canMatrix={!role || roleCan(role, 'setStatus') || roleCan(role, 'runSilence')}
        />
        {ready ? null : (
          <p class="muted" role="status">
            {live.notice.value?.text ?? 'Opening the report…'}
          </p>
        )}
        <SilenceList
          store={store}
          role={role}
          citations={(ids) => citationsOf(index, ids)}
          goTo={open}
        />
        {index && mode === 'board' ? (
          <>
            <BoardSummary paragraphs={chapters.flatMap((c) => c.paragraphs)} />
            <ChapterTable chapters={chapters} />
            <OpenParagraphs
              paragraphs={chapters.flatMap((c) => c.paragraphs)}
              threads={session.threads.threads}
              store={store}
              onOpen={open}
            />
          </>
        ) : null}
        {index && mode === 'matrix' ? (
          <PositionsMatrix chapters={chapters} store={store} onOpen={open} />
        ) : null}
      </div>
    </Frame>
  );
}

export function BoardPage({ reportId, view }: { reportId: string; view: BoardView }) {
  if (!REPORT_ID_RE.test(reportId)) {
    return <ProblemPage text={closeReasonText[CloseCode.InvalidReportId] ?? 'No such report.'} />;
  }
  return <Board reportId={reportId} mode={view} />;
}
