/** The browser client's editor logic that needs no DOM: save state, numbering, level commands. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EditorState, TextSelection, type Transaction } from 'prosemirror-state';
import { shiftParagraphLevel, splitParagraph } from '../../client/src/editor/commands.js';
import { numberingKey, numberingPlugin } from '../../client/src/editor/numbering.js';
import { ownPending } from '../../client/src/sync/offlineCopy.js';
import { computeSaveState, DurableClocks, saveStateOf } from '../../client/src/sync/saveState.js';
import { paragraphIdsPlugin } from '../../shared/paragraphIds.js';
import { MAX_PARAGRAPH_LEVEL, schema } from '../../shared/schema.js';
import { chaptersDocument } from '../helpers/documents.js';

function stateWith(doc = chaptersDocument('Report')): EditorState {
  return EditorState.create({ schema, doc, plugins: [paragraphIdsPlugin(), numberingPlugin()] });
}

/** Position inside the n-th paragraph (0-based), at its end. */
function endOfParagraph(state: EditorState, n: number): number {
  let seen = -1;
  let found = -1;
  state.doc.descendants((node, pos) => {
    if (found >= 0) return false;
    if (node.type.name === 'paragraph' && ++seen === n) found = pos + node.nodeSize - 1;
    return true;
  });
  assert.ok(found >= 0, `paragraph ${n} exists`);
  return found;
}

function run(state: EditorState, command: typeof splitParagraph): EditorState {
  let next = state;
  const ok = command(state, (tr: Transaction) => {
    next = state.apply(tr);
  });
  assert.ok(ok, 'command applies');
  return next;
}

function paragraphs(state: EditorState) {
  const out: { level: number; id: string | null; num: string | undefined }[] = [];
  const numbering = numberingKey.getState(state)!.numbering;
  state.doc.descendants((node, pos) => {
    if (node.type.name === 'paragraph') {
      out.push({
        level: node.attrs['level'] as number,
        id: node.attrs['id'] as string | null,
        num: numbering.byPos.get(pos)?.label,
      });
    }
    return true;
  });
  return out;
}

describe('save state', () => {
  test('offline whenever the provider is not connected', () => {
    assert.equal(computeSaveState(false, 0, 0), 'offline');
    assert.equal(computeSaveState(false, 5, 0), 'offline');
  });
  test('saving while the local clock is ahead of the durable clock, saved otherwise', () => {
    assert.equal(computeSaveState(true, 5, 3), 'saving');
    assert.equal(computeSaveState(true, 5, 5), 'saved');
    assert.equal(computeSaveState(true, 0, 0), 'saved');
  });
  test('changes kept from an earlier visit wait until the server confirms them or already had them', () => {
    // Client 7 wrote here before the tab closed (clock 40); 9 is this page's.
    const local = new Map([
      [7, 40],
      [9, 3],
    ]);
    const waiting = (durable: Map<number, number>, held: Map<number, number>) =>
      ownPending(
        [7, 9],
        (c) => local.get(c) ?? 0,
        (c) => Math.max(durable.get(c) ?? 0, held.get(c) ?? 0),
      );
    assert.deepEqual(waiting(new Map(), new Map()), [7, 9]);
    assert.deepEqual(waiting(new Map([[9, 3]]), new Map([[7, 25]])), [7]);
    assert.deepEqual(waiting(new Map([[9, 3]]), new Map([[7, 40]])), [], 'the server had it all');
    assert.deepEqual(
      waiting(
        new Map([
          [7, 40],
          [9, 3],
        ]),
        new Map(),
      ),
      [],
    );
    assert.equal(saveStateOf(true, true), 'saving');
    assert.equal(saveStateOf(true, false), 'saved');
    assert.equal(saveStateOf(false, false), 'offline');
  });
  test('durable clocks only move forward, per client', () => {
    const clocks = new DurableClocks();
    assert.equal(
      clocks.apply([
        { client: 1, clock: 10 },
        { client: 2, clock: 4 },
      ]),
      true,
    );
    assert.equal(clocks.apply([{ client: 1, clock: 7 }]), false);
    assert.equal(clocks.get(1), 10);
    assert.equal(clocks.get(2), 4);
    assert.equal(clocks.get(3), 0);
  });
});

describe('numbering decorations', () => {
  test('chapters get Roman numerals and paragraphs continuous numbers', () => {
    const state = stateWith();
    const decorations = numberingKey.getState(state)!.decorations.find();
    const nums = decorations.map(
      (d) => (d as unknown as { type: { attrs: Record<string, string> } }).type.attrs['data-num'],
    );
    assert.deepEqual(nums.slice(0, 4), ['I.', '1.', 'II.', '2.']);
    assert.ok(nums.includes('VII.'));
  });
  test('are recomputed only when the document changes', () => {
    const state = stateWith();
    const before = numberingKey.getState(state);
    const moved = state.apply(state.tr.setSelection(TextSelection.create(state.doc, 3)));
    assert.equal(numberingKey.getState(moved), before);
  });
});

describe('paragraph levels', () => {
  test('Tab and Shift-Tab change the level of the selected paragraph, clamped', () => {
    let state = stateWith();
    state = state.apply(
      state.tr.setSelection(TextSelection.create(state.doc, endOfParagraph(state, 1))),
    );
    for (let i = 0; i < MAX_PARAGRAPH_LEVEL + 2; i++) state = run(state, shiftParagraphLevel(1));
    assert.equal(paragraphs(state)[1]!.level, MAX_PARAGRAPH_LEVEL);
    for (let i = 0; i < MAX_PARAGRAPH_LEVEL + 2; i++) state = run(state, shiftParagraphLevel(-1));
    assert.equal(paragraphs(state)[1]!.level, 0);
  });
  test('Enter at the end of a sub-paragraph makes the next one, with a new id', () => {
    let state = stateWith();
    state = state.apply(
      state.tr.setSelection(TextSelection.create(state.doc, endOfParagraph(state, 0))),
    );
    state = state.apply(state.tr.insertText('Chapeau:'));
    state = run(state, splitParagraph);
    state = run(state, shiftParagraphLevel(1));
    state = state.apply(state.tr.insertText('first'));
    state = run(state, splitParagraph);
    const ps = paragraphs(state);
    assert.deepEqual(
      ps.slice(0, 4).map((p) => [p.level, p.num]),
      [
        [0, '1.'],
        [1, '(a)'],
        [1, '(b)'],
        [0, '2.'],
      ],
    );
    assert.equal(new Set(ps.map((p) => p.id)).size, ps.length, 'ids stay unique');
    assert.ok(ps.every((p) => p.id));
  });
  test('Enter in an empty sub-paragraph moves it up a level', () => {
    let state = stateWith();
    state = state.apply(
      state.tr.setSelection(TextSelection.create(state.doc, endOfParagraph(state, 0))),
    );
    state = run(state, shiftParagraphLevel(1));
    state = run(state, shiftParagraphLevel(1));
    state = run(state, splitParagraph);
    assert.equal(paragraphs(state)[0]!.level, 1);
  });
});
