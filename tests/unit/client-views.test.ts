/**
 * What the browser's views compute without a DOM: the document index the side views share, the
 * comments panel's filters and order, the board's and the matrix's figures, and a store's
 * signals (a reader re-runs for a change, not for a replayed event).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effect } from '@preact/signals';
import { EditorState, TextSelection } from 'prosemirror-state';
import {
  agreedCount,
  boardChapters,
  countByStatus,
  excerpt,
  isOpen,
  percent,
  ripeness,
} from '../../client/src/board/model.js';
import { inDocumentOrder, passes, statesIn } from '../../client/src/comments/model.js';
import { ConsensusStore } from '../../client/src/consensus/store.js';
import { splitParagraph } from '../../client/src/editor/commands.js';
import { citationsOf, indexDoc } from '../../client/src/report/docIndex.js';
import type { MessageView, PersonView, ThreadView } from '../../shared/comments.js';
import type { ParagraphStatus, PositionView, StatusView } from '../../shared/consensus.js';
import { paragraphIdsPlugin } from '../../shared/paragraphIds.js';
import { schema } from '../../shared/schema.js';
import { chaptersDocument } from '../helpers/documents.js';

const ana: PersonView = { id: 'u-ana', name: 'Ana', role: 'expert', represents: 'Brazil' };
const wanjiru: PersonView = { id: 'u-wan', name: 'Wanjiru', role: 'expert', represents: 'Kenya' };
const chair: PersonView = { id: 'u-chair', name: 'The Chair', role: 'chair', represents: null };

/** A GGE report whose chapter I holds `texts` (one paragraph each). */
function report(texts: string[]) {
  let state = EditorState.create({
    schema,
    doc: chaptersDocument('Report'),
    plugins: [paragraphIdsPlugin()],
  });
  const ends = () => {
    const out: number[] = [];
    state.doc.descendants((node, pos) => {
      if (node.type.name === 'paragraph') out.push(pos + node.nodeSize - 1);
      return true;
    });
    return out;
  };
  texts.forEach((text, i) => {
    if (i > 0) {
      state = state.apply(state.tr.setSelection(TextSelection.create(state.doc, ends()[i - 1]!)));
      splitParagraph(state, (tr) => {
        state = state.apply(tr);
      });
    }
    state = state.apply(state.tr.insertText(text, ends()[i]!));
  });
  return state.doc;
}

function message(id: string, author: PersonView, at: string, mentions: string[] = []): MessageView {
  return { id, author, body: id, mentions, createdAt: at, editedAt: null, deleted: false };
}

function thread(id: string, paragraphId: string, over: Partial<ThreadView> = {}): ThreadView {
  return {
    id,
    reportId: 'r1',
    paragraphId,
    kind: 'comment',
    visibility: 'group',
    delegation: null,
    quote: null,
    proposal: null,
    status: 'open',
    author: ana,
    createdAt: '2026-11-27T10:00:00Z',
    resolvedBy: null,
    resolvedAt: null,
    appliedBy: null,
    appliedAt: null,
    messages: [message(`${id}-m1`, over.author ?? ana, '2026-11-27T10:00:00Z')],
    seq: 1,
    ...over,
  };
}

describe('document index', () => {
  test('paragraphs by id with order, number, text and chapter; chapters with numeral and heading', () => {
    const index = indexDoc(report(['First.', 'Second.', 'Third.']));
    const paras = [...index.paragraphs.values()];
    assert.deepEqual(
      paras.slice(0, 3).map((p) => [p.index, p.citation, p.text, p.chapter]),
      [
        [0, '1', 'First.', 0],
        [1, '2', 'Second.', 0],
        [2, '3', 'Third.', 0],
      ],
    );
    // The other six chapters keep one empty paragraph each, numbered on.
    assert.equal(paras.length, 9);
    assert.deepEqual([paras[3]!.citation, paras[3]!.chapter], ['4', 1]);
    assert.deepEqual(
      index.chapters.map((c) => c.numeral),
      ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII'],
    );
    assert.equal(index.chapters[0]!.heading, 'Introduction');
    assert.deepEqual(
      index.chapters[0]!.paragraphIds,
      paras.slice(0, 3).map((p) => p.id),
    );
  });

  test('citations name the paragraphs that are there and count those that are not', () => {
    const index = indexDoc(report(['First.', 'Second.']));
    const [a, b] = [...index.paragraphs.keys()];
    assert.equal(citationsOf(index, [a!, b!]), '1, 2');
    assert.equal(citationsOf(index, [b!, 'gone-1', 'gone-2']), '2, 2 deleted');
    assert.equal(citationsOf(null, [a!]), '…');
    assert.equal(indexDoc(null).paragraphs.size, 0);
  });
});

describe('comments panel: filters and order', () => {
  const mine = thread('t1', 'p2', {
    messages: [
      message('m1', ana, '2026-11-27T10:00:00Z'),
      message('m2', wanjiru, '2026-11-27T11:00:00Z', [chair.id]),
    ],
  });
  const theirs = thread('t2', 'p1', { author: wanjiru, status: 'resolved' });
  const chairs = thread('t3', 'gone', { author: chair });

  test('each filter lets through what it names', () => {
    const all = [mine, theirs, chairs];
    const ids = (filter: Parameters<typeof passes>[1], user: string) =>
      all.filter((t) => passes(t, filter, user)).map((t) => t.id);
    assert.deepEqual(ids('all', ana.id), ['t1', 't2', 't3']);
    assert.deepEqual(ids('open', ana.id), ['t1', 't3']);
    assert.deepEqual(ids('resolved', ana.id), ['t2']);
    assert.deepEqual(ids('mine', ana.id), ['t1']);
    assert.deepEqual(ids('mine', wanjiru.id), ['t1', 't2']);
    assert.deepEqual(ids('mentions', chair.id), ['t1']);
    assert.deepEqual(ids('mentions', ana.id), []);
    assert.deepEqual(ids('state:Kenya', ana.id), ['t1', 't2']);
    assert.deepEqual(ids('state:Brazil', ana.id), ['t1']);
  });

  test('document order of the paragraphs, deleted paragraphs last, then by age', () => {
    const index = indexDoc(report(['First.', 'Second.']));
    const [p1, p2] = [...index.paragraphs.keys()];
    const early = thread('early', p2!, { createdAt: '2026-11-27T09:00:00Z' });
    const late = thread('late', p2!, { createdAt: '2026-11-27T12:00:00Z' });
    const first = thread('first', p1!, { createdAt: '2026-11-28T00:00:00Z' });
    const orphan = thread('orphan', 'deleted-paragraph', { createdAt: '2026-11-01T00:00:00Z' });
    assert.deepEqual(
      inDocumentOrder([late, orphan, early, first], index).map((t) => t.id),
      ['first', 'early', 'late', 'orphan'],
    );
  });

  test('one "By State" option per State that wrote, in the order met', () => {
    assert.deepEqual(statesIn([mine, theirs, chairs]), ['Brazil', 'Kenya']);
  });
});

describe('board and matrix figures', () => {
  const texts = ['Agreed text.', 'Text with [brackets].', 'Open text.', ''];
  const doc = report(texts);
  const index = indexDoc(doc);
  const ids = [...index.paragraphs.keys()];
  const stored = new Map<string, ParagraphStatus>([
    [ids[0]!, 'agreed'],
    [ids[2]!, 'under_discussion'],
  ]);
  const chapters = boardChapters(index, (id) => stored.get(id) ?? 'draft');

  test('chapters carry their paragraphs with the recorded and the shown status', () => {
    assert.equal(chapters.length, 7);
    assert.deepEqual(
      chapters[0]!.paragraphs.map((p) => [p.citation, p.stored, p.shown]),
      [
        ['1', 'agreed', 'agreed'],
        ['2', 'draft', 'bracketed'],
        ['3', 'under_discussion', 'under_discussion'],
        ['4', 'draft', 'draft'],
      ],
    );
    const counts = countByStatus(chapters[0]!.paragraphs);
    assert.equal(counts.get('agreed'), 1);
    assert.equal(counts.get('bracketed'), 1);
    assert.equal(counts.get('deferred'), 0);
    assert.equal(agreedCount(counts), 1);
    assert.deepEqual(
      chapters[0]!.paragraphs.filter(isOpen).map((p) => p.citation),
      ['2', '3', '4'],
    );
  });

  test('percent rounds and survives an empty report; the excerpt is one short line', () => {
    assert.equal(percent(1, 3), 33);
    assert.equal(percent(0, 0), 0);
    assert.equal(excerpt('  Two\n lines  '), 'Two lines');
    assert.equal(excerpt(''), '(empty paragraph)');
    const long = excerpt('word '.repeat(50));
    assert.equal(long.length, 110);
    assert.ok(long.endsWith('…'));
  });

  test('ripe only where the positions pass the rule and nothing else stands in the way', () => {
    const states = ['Brazil', 'Kenya'];
    const pos = (state: string, position: PositionView['position']): PositionView => ({
      paragraphId: ids[2]!,
      state,
      position,
      explanation: null,
      by: ana,
      at: '2026-11-27T10:00:00Z',
      seq: 1,
    });
    const [agreed, bracketed, open, empty] = chapters[0]!.paragraphs;
    const canAccept = [pos('Brazil', 'can_accept')];
    assert.deepEqual(ripeness(open!, 'no-objection', states, canAccept, false), {
      ripe: true,
      title: 'Ripe for agreement (not yet heard: Kenya)',
    });
    assert.equal(ripeness(open!, 'all-accept', states, canAccept, false).ripe, false);
    assert.equal(
      ripeness(open!, 'no-objection', states, [pos('Kenya', 'cannot_accept')], false).ripe,
      false,
    );
    assert.deepEqual(ripeness(open!, 'no-objection', states, canAccept, true), {
      ripe: false,
      title: 'Under silence until its deadline',
    });
    assert.deepEqual(ripeness(bracketed!, 'no-objection', states, [], false), {
      ripe: false,
      title: 'Not ripe: square brackets in the text',
    });
    assert.deepEqual(ripeness(agreed!, 'no-objection', states, [], false), {
      ripe: false,
      title: 'Agreed',
    });
    assert.equal(ripeness(empty!, 'no-objection', states, [], false).ripe, false);
    assert.deepEqual(ripeness(open!, 'no-objection', states, [], false), {
      ripe: false,
      title: 'No State has recorded a position',
    });
  });
});

describe('store signals', () => {
  test('a reader re-runs when what it read changes, not for a replayed event', () => {
    const store = new ConsensusStore('r1');
    const status = (seq: number, s: ParagraphStatus): StatusView => ({
      paragraphId: 'p1',
      status: s,
      from: 'draft',
      by: chair,
      at: '2026-11-27T10:00:00Z',
      note: null,
      seq,
    });
    // A component-like reader: it re-runs when a signal it read changes.
    const seen: string[] = [];
    const stop = effect(() => {
      seen.push(store.statusOf('p1'));
    });
    const before = store.statuses;
    store.applyEvent({ seq: 2, type: 'status', status: status(2, 'agreed') });
    store.applyEvent({ seq: 2, type: 'status', status: status(2, 'agreed') });
    store.applyEvent({ seq: 1, type: 'status', status: status(1, 'bracketed') });
    assert.deepEqual(seen, ['draft', 'agreed']);
    assert.notEqual(store.statuses, before, 'a change is a new map');
    assert.equal(before.size, 0, 'the old one is untouched');
    stop();
  });
});
