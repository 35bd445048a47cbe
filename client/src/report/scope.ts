/**
 * Everything one open report page holds: the sync session and its signals, the editor bridge,
 * and the state of its panels. Made when the page opens, disposed when it goes.
 */

import { currentMe } from '../auth.js';
import { CommentsState } from '../comments/CommentsState.js';
import { eventAnnouncement } from '../consensus/announcements.js';
import { ConsensusState } from '../consensus/ConsensusState.js';
import { inbox } from '../inbox/store.js';
import { closeSession, openSession, type ReportSession } from '../sync/session.js';
import { announce } from '../ui/announce.js';
import { citationsOf } from './docIndex.js';
import { EditorBridge } from './editorBridge.js';
import { type SessionSignals, sessionSignals } from './sessionSignals.js';

export interface ReportScope {
  readonly reportId: string;
  readonly session: ReportSession;
  readonly live: SessionSignals;
  readonly editor: EditorBridge;
  readonly comments: CommentsState;
  readonly consensus: ConsensusState;
  dispose(): void;
}

/** Opens the report's session and the page's state; `threadId`: open at that thread. */
export function openReportScope(reportId: string, threadId: string | null): ReportScope {
  const session = openSession(reportId);
  const live = sessionSignals(session);
  const editor = new EditorBridge();
  const comments = new CommentsState(session.threads, live.access, editor);
  const consensus = new ConsensusState(reportId, session.consensus, editor);
  if (threadId) comments.focusThread(threadId);
  const stops = [
    // The header's inbox asks again soon when a thread of this report changes.
    session.threads.subscribe(() => inbox.nudge()),
    // An inbox item of this report opens its thread here, without reloading the page.
    inbox.setJumper((rid, tid) => {
      if (rid !== reportId) return false;
      comments.focusThread(tid);
      return true;
    }),
    // Screen readers hear what others lock and unlock (statuses, silences) as it happens.
    session.consensus.onEvent((event, previous) => {
      const text = eventAnnouncement(event, previous, {
        userId: currentMe()?.user.id ?? null,
        cite: (ids) =>
          `${ids.length === 1 ? 'Paragraph' : 'Paragraphs'} ${citationsOf(editor.index.peek(), ids)}`,
      });
      if (text) announce(text);
    }),
  ];
  return {
    reportId,
    session,
    live,
    editor,
    comments,
    consensus,
    dispose() {
      for (const stop of stops) stop();
      comments.dispose();
      consensus.dispose();
      editor.view.peek()?.destroy();
      editor.dispose();
      live.dispose();
      closeSession(session);
    },
  };
}
