/**
 * The browser's consensus logic that needs no DOM: the lock (which local changes are refused),
 * the status a paragraph shows, the store's handling of pushed events, countdowns.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EditorState, TextSelection, type Transaction } from 'prosemirror-state';
import { eventAnnouncement } from '../../client/src/consensus/announcements.js';
import { countdownText } from '../../client/src/consensus/format.js';
import {
  type ConsensusInfo,
  consensusKey,
  consensusPlugin,
  lockViolation,
  shownStatus,
} from '../../client/src/consensus/plugin.js';
import { ConsensusStore } from '../../client/src/consensus/store.js';
import { shiftParagraphLevel, splitParagraph } from '../../client/src/editor/commands.js';
import type { PersonView } from '../../shared/comments.js';
import type { PositionView, SilenceView, StatusView } from '../../shared/consensus.js';
import { paragraphIdsPlugin } from '../../shared/paragraphIds.js';
import { schema } from '../../shared/schema.js';
import { chaptersDocument } from '../helpers/documents.js';

const chair: PersonView = { id: 'u1', name: 'The Chair', role: 'chair', represents: null };
const brazil: PersonView = { id: 'u2', name: 'Ana', role: 'expert', represents: 'Brazil' };

/** A report whose first chapter has paragraphs `texts`; `locked` are their indexes. */
function setup(texts: string[], locked: number[]) {
  const refused: string[] = [];
  let state = EditorState.create({
    schema,
    doc: chaptersDocument('Report'),
    plugins: [
      paragraphIdsPlugin(),
      consensusPlugin({ renderLabel: () => null as never, onRefused: (id) => refused.push(id) }),
    ],
  });
  // Fill the first paragraph, then split to make the others.
  for (let i = 0; i < texts.length; i++) {
    if (i > 0) {
      const previous = paragraphs(state)[i - 1]!;
      state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, previous.end)));
      splitParagraph(state, (tr) => {
        state = state.apply(tr);
      });
    }
    const p = paragraphs(state)[i]!;
    state = state.apply(state.tr.insertText(texts[i]!, p.end));
  }
  const ids = paragraphs(state)
    .slice(0, texts.length)
    .map((p) => p.id);
  const info: ConsensusInfo = {
    statuses: new Map(locked.map((i) => [ids[i]!, 'agreed'])),
    silenced: new Set(),
    locked: new Set(locked.map((i) => ids[i]!)),
    openOnly: false,
  };
  state = state.apply(state.tr.setMeta(consensusKey, info));
  return { state, ids, refused };
}

function paragraphs(state: EditorState) {
  const out: { id: string; pos: number; end: number; text: string }[] = [];
  state.doc.descendants((node, pos) => {
    if (node.type.name === 'paragraph') {
      out.push({
        id: node.attrs['id'] as string,
        pos,
        end: pos + node.nodeSize - 1,
        text: node.textContent,
      });
    }
    return true;
  });
  return out;
}

/** Applies `tr` as the editor would (filters, appended transactions): the resulting state. */
function apply(state: EditorState, tr: Transaction): EditorState {
  return state.applyTransaction(tr).state;
}

describe('the lock', () => {
  test('typing into, deleting from or re-levelling a locked paragraph is refused', () => {
    const { state, ids, refused } = setup(['Open text.', 'Agreed text.', 'More open.'], [1]);
    const locked = paragraphs(state)[1]!;
    assert.equal(apply(state, state.tr.insertText('x', locked.end)).doc, state.doc);
    assert.equal(apply(state, state.tr.delete(locked.pos + 1, locked.pos + 3)).doc, state.doc);
    assert.equal(
      apply(state, state.tr.setNodeAttribute(locked.pos, 'level', 1)).doc,
      state.doc,
      'attributes are locked too',
    );
    const sel = state.apply(state.tr.setSelection(TextSelection.create(state.doc, locked.pos + 2)));
    shiftParagraphLevel(1)(sel, (tr) => assert.equal(apply(sel, tr).doc, sel.doc));
    // Deleting it whole (a range from the paragraph before to the one after).
    const open = paragraphs(state)[0]!;
    const next = paragraphs(state)[2]!;
    assert.equal(apply(state, state.tr.delete(open.end, next.pos + 1)).doc, state.doc);
    assert.ok(refused.length >= 5 && refused.every((id) => id === ids[1]));
  });

  test('open paragraphs stay editable, and new paragraphs go between locked ones', () => {
    const { state, ids } = setup(['Agreed one.', 'Agreed two.', 'Open.'], [0, 1]);
    const [first, , open] = paragraphs(state);
    let next = apply(state, state.tr.insertText(' More', open!.end));
    assert.equal(paragraphs(next)[2]!.text, 'Open. More');
    // Enter at the end of a locked paragraph: a new paragraph, the locked one untouched.
    const atEnd = next.apply(next.tr.setSelection(TextSelection.create(next.doc, first!.end)));
    let split: Transaction | null = null;
    splitParagraph(atEnd, (tr) => {
      split = tr;
    });
    next = apply(atEnd, split!);
    const after = paragraphs(next);
    assert.equal(after.length, paragraphs(state).length + 1);
    assert.deepEqual(
      after.slice(0, 3).map((p) => [p.id === ids[0] || p.id === ids[1], p.text]),
      [
        [true, 'Agreed one.'],
        [false, ''],
        [true, 'Agreed two.'],
      ],
    );
    // Enter in the middle of a locked paragraph would change it: refused.
    const mid = next.apply(next.tr.setSelection(TextSelection.create(next.doc, first!.pos + 4)));
    splitParagraph(mid, (tr) => assert.equal(apply(mid, tr).doc, mid.doc));
  });

  test('changes from Yjs (other people, the server) are never filtered', async () => {
    const { ySyncPluginKey } = await import('y-prosemirror');
    const { state } = setup(['Agreed.'], [0]);
    const p = paragraphs(state)[0]!;
    const remote = state.tr
      .insertText('!', p.end)
      .setMeta(ySyncPluginKey, { isChangeOrigin: true });
    assert.equal(paragraphs(apply(state, remote))[0]!.text, 'Agreed.!');
  });

  test('lockViolation: same node elsewhere is fine, a changed or missing one is not', () => {
    const { state, ids } = setup(['A.', 'B.'], []);
    const locked = new Set([ids[0]!]);
    const p = paragraphs(state)[0]!;
    assert.equal(lockViolation(state.doc, state.doc, locked), null);
    assert.equal(lockViolation(state.doc, state.tr.insertText('x', p.end).doc, locked), ids[0]);
    assert.equal(lockViolation(state.doc, state.tr.delete(p.pos, p.end + 1).doc, locked), ids[0]);
  });
});

describe('shown status', () => {
  test('a draft with brackets reads as bracketed; a recorded status is shown as it is', () => {
    assert.equal(shownStatus('draft', 'States [should] cooperate.'), 'bracketed');
    assert.equal(shownStatus('draft', 'States [should cooperate.'), 'bracketed');
    assert.equal(shownStatus('draft', 'Quoting “resolution [70/237]” only.'), 'draft');
    assert.equal(shownStatus('under_discussion', 'States [should] cooperate.'), 'under_discussion');
  });
});

describe('consensus store', () => {
  const status = (seq: number, s: StatusView['status']): StatusView => ({
    paragraphId: 'p1',
    status: s,
    from: 'draft',
    note: null,
    by: chair,
    at: '2026-11-27T10:00:00Z',
    seq,
  });
  const silence = (seq: number, state: SilenceView['state']): SilenceView => ({
    id: 's1',
    reportId: 'r1',
    paragraphIds: ['p2', 'p3'],
    deadline: '2026-11-30T10:00:00Z',
    timeZone: 'Europe/Geneva',
    state,
    startedBy: chair,
    startedAt: '2026-11-27T10:00:00Z',
    brokenBy: state === 'broken' ? brazil : null,
    brokenAt: null,
    statement: state === 'broken' ? 'Brazil objects.' : null,
    settledAt: null,
    seq,
  });

  test('events apply by seq: a replayed or older one changes nothing; thread events are not its own', () => {
    const store = new ConsensusStore('r1');
    let emits = 0;
    store.subscribe(() => emits++);
    assert.equal(store.applyEvent({ seq: 3, type: 'status', status: status(3, 'agreed') }), true);
    assert.equal(store.statusOf('p1'), 'agreed');
    store.applyEvent({ seq: 2, type: 'status', status: status(2, 'bracketed') });
    store.applyEvent({ seq: 3, type: 'status', status: status(3, 'agreed') });
    assert.equal(store.statusOf('p1'), 'agreed');
    assert.equal(emits, 1);
    assert.equal(store.statusOf('other'), 'draft');
    assert.equal(
      store.applyEvent({ seq: 4, type: 'thread', thread: {} as never }),
      false,
      'a thread event is left to the comment store',
    );
  });

  test('locks: locked statuses and running silences; a broken silence is announced once', () => {
    const store = new ConsensusStore('r1');
    store.applyEvent({ seq: 1, type: 'status', status: status(1, 'agreed') });
    store.applyEvent({ seq: 2, type: 'silence', silence: silence(2, 'running') });
    assert.deepEqual([...store.lockedIds()].sort(), ['p1', 'p2', 'p3']);
    assert.equal(store.silenceOf('p3')?.id, 's1');
    store.applyEvent({ seq: 5, type: 'silence', silence: silence(5, 'broken') });
    store.applyEvent({ seq: 5, type: 'silence', silence: silence(5, 'broken') });
    assert.deepEqual([...store.lockedIds()], ['p1']);
    assert.equal(store.outcomeNotices.length, 1);
    assert.equal(store.outcomeNotices[0]!.silence.statement, 'Brazil objects.');
  });

  test('a silence that passes unbroken is announced once too, until dismissed', () => {
    const store = new ConsensusStore('r1');
    store.applyEvent({ seq: 2, type: 'silence', silence: silence(2, 'running') });
    store.applyEvent({ seq: 6, type: 'silence', silence: silence(6, 'adopted') });
    store.applyEvent({ seq: 6, type: 'silence', silence: silence(6, 'adopted') });
    assert.deepEqual(
      store.outcomeNotices.map((n) => n.silence.state),
      ['adopted'],
    );
    store.dismissOutcome(store.outcomeNotices[0]!);
    assert.equal(store.outcomeNotices.length, 0);
  });

  test("announcements: locks and silences by others are spoken once; one's own acts are not", () => {
    const store = new ConsensusStore('r1');
    const said: string[] = [];
    const cite = (ids: readonly string[]) =>
      `${ids.length === 1 ? 'Paragraph' : 'Paragraphs'} ${ids.map((id) => id.slice(1)).join(', ')}`;
    let userId: string | null = brazil.id;
    store.onEvent((event, previous) => {
      const text = eventAnnouncement(event, previous, { userId, cite });
      if (text) said.push(text);
    });
    store.applyEvent({ seq: 1, type: 'status', status: status(1, 'under_discussion') });
    assert.deepEqual(said, [], 'a status that locks nothing is not announced');
    store.applyEvent({
      seq: 2,
      type: 'status',
      status: { ...status(2, 'agreed'), from: 'under_discussion' },
    });
    store.applyEvent({
      seq: 2,
      type: 'status',
      status: { ...status(2, 'agreed'), from: 'under_discussion' },
    });
    assert.deepEqual(said, ['Paragraph 1 is now agreed by The Chair; its text is locked.']);
    store.applyEvent({
      seq: 3,
      type: 'status',
      status: { ...status(3, 'under_discussion'), from: 'agreed' },
    });
    assert.match(said[1]!, /^Paragraph 1 was reopened by The Chair \(under discussion\)/);
    store.applyEvent({ seq: 4, type: 'silence', silence: silence(4, 'running') });
    assert.match(
      said[2]!,
      /^Silence procedure started on paragraphs 2, 3 by The Chair, until .+; the text is locked\.$/,
    );
    store.applyEvent({ seq: 5, type: 'silence', silence: silence(5, 'broken') });
    assert.equal(said.length, 3, 'the reader broke it: nothing said to them');
    userId = chair.id;
    store.applyEvent({ seq: 6, type: 'silence', silence: { ...silence(6, 'running'), id: 's2' } });
    assert.equal(said.length, 3, 'the chair started it: nothing said to the chair');
    store.applyEvent({ seq: 7, type: 'silence', silence: { ...silence(7, 'broken'), id: 's2' } });
    assert.equal(
      said[3],
      'Silence broken on paragraphs 2, 3 by Ana (Brazil); the text is open again.',
    );
    store.applyEvent({ seq: 8, type: 'silence', silence: { ...silence(8, 'running'), id: 's3' } });
    store.applyEvent({ seq: 9, type: 'silence', silence: { ...silence(9, 'adopted'), id: 's3' } });
    assert.equal(said[4], 'Silence passed unbroken: paragraphs 2, 3 agreed.');
    assert.equal(said.length, 5);
  });

  test('positions: one current per State; a new State joins the columns', () => {
    const store = new ConsensusStore('r1');
    const pos = (seq: number, state: string, position: PositionView['position']): PositionView => ({
      paragraphId: 'p1',
      state,
      position,
      explanation: null,
      by: brazil,
      at: '2026-11-27T10:00:00Z',
      seq,
    });
    store.applyEvent({ seq: 1, type: 'position', position: pos(1, 'Brazil', 'can_accept') });
    store.applyEvent({ seq: 2, type: 'position', position: pos(2, 'Brazil', 'cannot_accept') });
    store.applyEvent({ seq: 3, type: 'position', position: pos(3, 'Kenya', 'reservation') });
    assert.deepEqual(
      store.positionsOf('p1').map((p) => [p.state, p.position]),
      [
        ['Brazil', 'cannot_accept'],
        ['Kenya', 'reservation'],
      ],
    );
    assert.deepEqual(store.states, ['Brazil', 'Kenya']);
  });
});

describe('countdown', () => {
  test('days, hours, minutes and seconds left; passed', () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    assert.equal(countdownText('2026-11-29T13:04:05Z', now), '2 d 03:04:05 left');
    assert.equal(countdownText('2026-11-27T10:04:05Z', now), '04:05 left');
    assert.equal(countdownText('2026-11-27T09:00:00Z', now), 'deadline passed');
  });
});
