/**
 * Stable paragraph ids (shared/ids.ts, shared/paragraphIds.ts), on a headless ProseMirror editor
 * with the real plugin and real commands: splits, merges, pastes and moves keep ids where the
 * rules say, and duplicates that arrive from concurrent edits on two Y.Docs are repaired
 * identically on both sides.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { joinBackward, joinForward, splitBlock } from 'prosemirror-commands';
import type { Node as PMNode } from 'prosemirror-model';
import { type Command, EditorState, TextSelection, type Transaction } from 'prosemirror-state';
import {
  prosemirrorToYXmlFragment,
  ySyncPluginKey,
  yXmlFragmentToProseMirrorRootNode,
} from 'y-prosemirror';
import * as Y from 'yjs';
import {
  derivedNodeId,
  identifiedNodes,
  idsAreUniqueAndPresent,
  planIdRepairs,
} from '../../shared/ids.js';
import { paragraphIdsPlugin } from '../../shared/paragraphIds.js';
import { REPORT_FRAGMENT, schema } from '../../shared/schema.js';

const FRESH_ID = /^[0-9a-z]{12}$/;

/** title + one chapter per entry; each paragraph `[id, text]` (level 0). */
function buildDoc(chapters: Array<{ id: string; paragraphs: Array<[string | null, string]> }>) {
  const n = schema.nodes;
  return n['doc']!.create(null, [
    n['title']!.create(null, schema.text('Report')),
    ...chapters.map((c) =>
      n['chapter']!.create({ id: c.id }, [
        n['chapter_heading']!.create(null, schema.text(`Chapter ${c.id}`)),
        ...c.paragraphs.map(([id, text]) =>
          n['paragraph']!.create({ id, level: 0 }, text ? schema.text(text) : null),
        ),
      ]),
    ),
  ]);
}

const baseDoc = () =>
  buildDoc([
    {
      id: 'chapone00001',
      paragraphs: [
        ['para0000000a', 'Alpha beta gamma'],
        ['para0000000b', 'Delta epsilon'],
        ['para0000000c', 'Zeta eta theta'],
      ],
    },
    { id: 'chaptwo00002', paragraphs: [['para0000000d', 'Iota kappa']] },
  ]);

function editor(doc: PMNode = baseDoc()): EditorState {
  return EditorState.create({ schema, doc, plugins: [paragraphIdsPlugin()] });
}

interface Para {
  id: string | null;
  text: string;
  level: number;
}

function paras(state: EditorState | PMNode): Para[] {
  const doc = state instanceof EditorState ? state.doc : state;
  const out: Para[] = [];
  doc.descendants((node) => {
    if (node.type.name === 'paragraph') {
      out.push({
        id: node.attrs['id'] as string | null,
        text: node.textContent,
        level: node.attrs['level'] as number,
      });
      return false;
    }
    return true;
  });
  return out;
}

/** Position of the start of the text of the paragraph whose text is `text`, plus `offset`. */
function posIn(state: EditorState, text: string, offset = 0): number {
  let found = -1;
  state.doc.descendants((node, pos) => {
    if (found < 0 && node.type.name === 'paragraph' && node.textContent === text) found = pos + 1;
    return found < 0;
  });
  assert.ok(found >= 0, `paragraph "${text}" exists`);
  return found + offset;
}

/** Position before (outside) the paragraph whose text is `text`. */
function before(state: EditorState, text: string): number {
  return posIn(state, text) - 1;
}

function after(state: EditorState, text: string): number {
  return before(state, text) + state.doc.nodeAt(before(state, text))!.nodeSize;
}

function withCursor(state: EditorState, pos: number): EditorState {
  return state.apply(state.tr.setSelection(TextSelection.create(state.doc, pos)));
}

function run(state: EditorState, command: Command): EditorState {
  let next: EditorState | null = null;
  const ok = command(state, (tr: Transaction) => {
    next = state.apply(tr);
  });
  assert.ok(ok && next, 'the command applies');
  return next;
}

function apply(state: EditorState, build: (tr: Transaction) => void): EditorState {
  const tr = state.tr;
  build(tr);
  return state.apply(tr);
}

function assertIdsValid(state: EditorState | PMNode): void {
  const doc = state instanceof EditorState ? state.doc : state;
  assert.ok(idsAreUniqueAndPresent(doc), `ids unique and present: ${JSON.stringify(paras(doc))}`);
}

describe('paragraph ids in the editor (paragraphIdsPlugin)', () => {
  test('split in the middle: the first half keeps the id, the second gets a fresh one', () => {
    let state = withCursor(editor(), posIn(editor(), 'Alpha beta gamma', 6));
    state = run(state, splitBlock);
    const p = paras(state);
    assert.deepEqual(
      p.slice(0, 2).map((x) => x.text),
      ['Alpha ', 'beta gamma'],
    );
    assert.equal(p[0]!.id, 'para0000000a');
    assert.match(p[1]!.id!, FRESH_ID);
    assert.notEqual(p[1]!.id, 'para0000000a');
    assert.deepEqual(
      p.slice(2).map((x) => x.id),
      ['para0000000b', 'para0000000c', 'para0000000d'],
      'the others are untouched',
    );
    assertIdsValid(state);
  });

  test('split at the end: the paragraph keeps its id, the new empty one gets a fresh one', () => {
    const start = editor();
    let state = withCursor(start, posIn(start, 'Delta epsilon', 'Delta epsilon'.length));
    state = run(state, splitBlock);
    const p = paras(state);
    assert.deepEqual(p[1], { id: 'para0000000b', text: 'Delta epsilon', level: 0 });
    assert.equal(p[2]!.text, '');
    assert.match(p[2]!.id!, FRESH_ID);
    assertIdsValid(state);
  });

  test('split at the start: the text keeps the id, the new empty paragraph above is fresh', () => {
    const start = editor();
    let state = withCursor(start, posIn(start, 'Zeta eta theta'));
    state = run(state, splitBlock);
    const p = paras(state);
    assert.equal(p[2]!.text, '');
    assert.match(p[2]!.id!, FRESH_ID);
    assert.notEqual(p[2]!.id, 'para0000000c');
    assert.deepEqual(p[3], { id: 'para0000000c', text: 'Zeta eta theta', level: 0 });
    assertIdsValid(state);
  });

  test('split keeps the level on both halves', () => {
    let state = editor();
    state = apply(state, (tr) => tr.setNodeAttribute(before(state, 'Iota kappa'), 'level', 2));
    state = withCursor(state, posIn(state, 'Iota kappa', 4));
    state = run(state, splitBlock);
    const p = paras(state);
    assert.deepEqual(
      p.slice(3).map((x) => [x.text, x.level]),
      [
        ['Iota', 2],
        [' kappa', 2],
      ],
    );
    assert.equal(p[3]!.id, 'para0000000d');
    assertIdsValid(state);
  });

  test('merge (joinBackward): the first paragraph keeps its id', () => {
    const start = editor();
    let state = withCursor(start, posIn(start, 'Delta epsilon'));
    state = run(state, joinBackward);
    const p = paras(state);
    assert.deepEqual(p[0], { id: 'para0000000a', text: 'Alpha beta gammaDelta epsilon', level: 0 });
    assert.deepEqual(
      p.map((x) => x.id),
      ['para0000000a', 'para0000000c', 'para0000000d'],
    );
    assertIdsValid(state);
  });

  test('split then merge back: the original id is kept throughout', () => {
    const start = editor();
    let state = withCursor(start, posIn(start, 'Alpha beta gamma', 5));
    state = run(state, splitBlock);
    state = run(state, joinBackward);
    assert.deepEqual(paras(state), paras(start));
  });

  // Merging two paragraphs around an empty one (rule in shared/paragraphIds.ts): the merged
  // paragraph is the one whose text it carries; when neither has text, the upper one.
  const withEmpty = () =>
    buildDoc([
      {
        id: 'chapone00001',
        paragraphs: [
          ['para0000000a', 'Alpha beta gamma'],
          ['paraEmpty00e', ''],
          ['para0000000b', 'Delta epsilon'],
          ['para0000000c', 'Zeta eta theta'],
        ],
      },
    ]);
  /** The doc above with paragraph b emptied by the user (its text deleted), cursor in it. */
  function emptiedB(levels: [number, number] = [0, 0]): EditorState {
    let state = editor(withEmpty());
    state = apply(state, (tr) => {
      tr.setNodeAttribute(before(state, ''), 'level', levels[0]);
      tr.setNodeAttribute(before(state, 'Delta epsilon'), 'level', levels[1]);
    });
    const from = posIn(state, 'Delta epsilon');
    state = apply(state, (tr) => tr.delete(from, from + 'Delta epsilon'.length));
    assert.deepEqual(
      paras(state).map((x) => [x.id, x.text]),
      [
        ['para0000000a', 'Alpha beta gamma'],
        ['paraEmpty00e', ''],
        ['para0000000b', ''],
        ['para0000000c', 'Zeta eta theta'],
      ],
    );
    return state;
  }
  /** Position inside the n-th paragraph (0-based), at its start. */
  const inParagraph = (state: EditorState, n: number) => {
    let found = -1;
    let i = 0;
    state.doc.descendants((node, pos) => {
      if (node.type.name !== 'paragraph') return true;
      if (i++ === n) found = pos + 1;
      return false;
    });
    return found;
  };

  test('Backspace in an emptied paragraph after an empty one: the emptied one is deleted', () => {
    const start = emptiedB([0, 1]);
    const state = run(withCursor(start, inParagraph(start, 2)), joinBackward);
    assert.deepEqual(paras(state), [
      { id: 'para0000000a', text: 'Alpha beta gamma', level: 0 },
      // The upper paragraph, as it was (its id and level): the caret's line went away.
      { id: 'paraEmpty00e', text: '', level: 0 },
      { id: 'para0000000c', text: 'Zeta eta theta', level: 0 },
    ]);
    assertIdsValid(state);
  });

  test('Delete at the end of an empty paragraph before an emptied one: the emptied one is deleted', () => {
    const start = emptiedB([1, 0]);
    const state = run(withCursor(start, inParagraph(start, 1)), joinForward);
    assert.deepEqual(paras(state), [
      { id: 'para0000000a', text: 'Alpha beta gamma', level: 0 },
      { id: 'paraEmpty00e', text: '', level: 1 },
      { id: 'para0000000c', text: 'Zeta eta theta', level: 0 },
    ]);
    assertIdsValid(state);
  });

  test('Backspace or Delete next to an empty paragraph: the paragraph with text keeps its id', () => {
    const start = editor(withEmpty());
    // Backspace at the start of b: the empty line above goes, b stays b.
    const back = run(withCursor(start, posIn(start, 'Delta epsilon')), joinBackward);
    assert.deepEqual(
      paras(back).map((x) => [x.id, x.text]),
      [
        ['para0000000a', 'Alpha beta gamma'],
        ['para0000000b', 'Delta epsilon'],
        ['para0000000c', 'Zeta eta theta'],
      ],
    );
    // Delete at the end of the empty line: b moves up into it and stays b.
    const fwd = run(withCursor(start, inParagraph(start, 1)), joinForward);
    assert.deepEqual(paras(fwd), paras(back));
    // Delete at the end of a (text) before the empty line: a stays a, the empty line goes.
    const endA = posIn(start, 'Alpha beta gamma', 'Alpha beta gamma'.length);
    const intoA = run(withCursor(start, endA), joinForward);
    assert.deepEqual(
      paras(intoA).map((x) => x.id),
      ['para0000000a', 'para0000000b', 'para0000000c'],
    );
    // Backspace in the empty line after a: the same.
    const backE = run(withCursor(start, inParagraph(start, 1)), joinBackward);
    assert.deepEqual(paras(backE), paras(intoA));
    for (const s of [back, fwd, intoA, backE]) assertIdsValid(s);
  });

  test('an emptied paragraph removed by Backspace after a paragraph with text: it is deleted', () => {
    let state = editor();
    const from = posIn(state, 'Delta epsilon');
    state = apply(state, (tr) => tr.delete(from, from + 'Delta epsilon'.length));
    state = run(withCursor(state, inParagraph(state, 1)), joinBackward);
    assert.deepEqual(
      paras(state).map((x) => x.id),
      ['para0000000a', 'para0000000c', 'para0000000d'],
    );
  });

  test('paste of copied paragraphs above the originals: originals keep their ids', () => {
    const start = editor();
    // Copy paragraphs a and b (whole nodes), paste them right above a.
    const slice = start.doc.slice(before(start, 'Alpha beta gamma'), after(start, 'Delta epsilon'));
    const state = apply(start, (tr) =>
      tr.replace(before(start, 'Alpha beta gamma'), undefined, slice),
    );
    const p = paras(state);
    assert.deepEqual(
      p.map((x) => x.text),
      [
        'Alpha beta gamma',
        'Delta epsilon',
        'Alpha beta gamma',
        'Delta epsilon',
        'Zeta eta theta',
        'Iota kappa',
      ],
    );
    assert.equal(p[2]!.id, 'para0000000a', 'original a (now third) keeps its id');
    assert.equal(p[3]!.id, 'para0000000b', 'original b keeps its id');
    for (const copy of [p[0]!, p[1]!]) {
      assert.match(copy.id!, FRESH_ID);
      assert.ok(!['para0000000a', 'para0000000b'].includes(copy.id!), 'copies get new ids');
    }
    assertIdsValid(state);
  });

  test('paste of copied paragraphs below the originals: originals keep their ids', () => {
    const start = editor();
    const slice = start.doc.slice(before(start, 'Alpha beta gamma'), after(start, 'Delta epsilon'));
    const state = apply(start, (tr) =>
      tr.replace(after(start, 'Zeta eta theta'), undefined, slice),
    );
    const ids = paras(state).map((x) => x.id);
    assert.deepEqual(ids.slice(0, 3), ['para0000000a', 'para0000000b', 'para0000000c']);
    assert.match(ids[3]!, FRESH_ID);
    assert.match(ids[4]!, FRESH_ID);
    assertIdsValid(state);
  });

  test('paste of an open slice (from inside one paragraph to inside the next) into a third', () => {
    const start = editor();
    // "…gamma" + "Delta…" copied as text would be: an open slice spanning two paragraphs.
    const slice = start.doc.slice(
      posIn(start, 'Alpha beta gamma', 10),
      posIn(start, 'Delta epsilon', 5),
    );
    assert.equal(slice.openStart, 1);
    const state = apply(start, (tr) =>
      tr.replace(posIn(start, 'Zeta eta theta', 4), undefined, slice),
    );
    const p = paras(state);
    assert.deepEqual(
      p.map((x) => x.text),
      ['Alpha beta gamma', 'Delta epsilon', 'Zeta gamma', 'Delta eta theta', 'Iota kappa'],
    );
    assert.deepEqual(
      p.slice(0, 3).map((x) => x.id),
      ['para0000000a', 'para0000000b', 'para0000000c'],
    );
    assert.match(p[3]!.id!, FRESH_ID);
    assertIdsValid(state);
  });

  test('cut and paste (a move) keeps the id, in two steps or in one transaction', () => {
    const start = editor();
    const from = before(start, 'Alpha beta gamma');
    const to = after(start, 'Alpha beta gamma');
    const slice = start.doc.slice(from, to);
    // Cut, then paste into the second chapter.
    const cut = apply(start, (tr) => tr.delete(from, to));
    assert.deepEqual(
      paras(cut).map((x) => x.id),
      ['para0000000b', 'para0000000c', 'para0000000d'],
    );
    const pasted = apply(cut, (tr) => tr.replace(after(cut, 'Iota kappa'), undefined, slice));
    assert.deepEqual(
      paras(pasted).map((x) => [x.id, x.text]),
      [
        ['para0000000b', 'Delta epsilon'],
        ['para0000000c', 'Zeta eta theta'],
        ['para0000000d', 'Iota kappa'],
        ['para0000000a', 'Alpha beta gamma'],
      ],
    );
    // Drag and drop: delete and insert in one transaction.
    const moved = apply(start, (tr) => {
      tr.delete(from, to);
      tr.replace(tr.mapping.map(after(start, 'Zeta eta theta')), undefined, slice);
    });
    assert.deepEqual(
      paras(moved).map((x) => x.id),
      ['para0000000b', 'para0000000c', 'para0000000a', 'para0000000d'],
    );
    assertIdsValid(moved);
  });

  test('a paragraph created without an id gets one; typing changes no id', () => {
    const start = editor();
    const state = apply(start, (tr) =>
      tr.insert(after(start, 'Iota kappa'), schema.nodes['paragraph']!.create({ level: 1 })),
    );
    const last = paras(state).at(-1)!;
    assert.match(last.id!, FRESH_ID);
    const typed = apply(state, (tr) => tr.insertText('more ', posIn(state, 'Alpha beta gamma')));
    assert.deepEqual(
      paras(typed).map((x) => x.id),
      paras(state).map((x) => x.id),
    );
  });
});

// ----------------------------------------------------------------------------------------------
// Duplicates from concurrent edits on two Y.Docs

function yDocOf(doc: PMNode): Y.Doc {
  const ydoc = new Y.Doc();
  prosemirrorToYXmlFragment(doc, ydoc.getXmlFragment(REPORT_FRAGMENT));
  return ydoc;
}

function clone(ydoc: Y.Doc): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(ydoc));
  return copy;
}

/** Exchanges everything both ways. */
function sync(a: Y.Doc, b: Y.Doc): void {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)));
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)));
}

const pmOf = (ydoc: Y.Doc) =>
  yXmlFragmentToProseMirrorRootNode(ydoc.getXmlFragment(REPORT_FRAGMENT), schema);

/** Paragraph and chapter elements in document order (the order identifiedNodes uses). */
function yIdentified(ydoc: Y.Doc): Y.XmlElement[] {
  const out: Y.XmlElement[] = [];
  for (const node of ydoc
    .getXmlFragment(REPORT_FRAGMENT)
    .createTreeWalker(
      (n) => n instanceof Y.XmlElement && (n.nodeName === 'chapter' || n.nodeName === 'paragraph'),
    )) {
    out.push(node as Y.XmlElement);
  }
  return out;
}

/** Writes planIdRepairs' result into the Y.Doc (what y-prosemirror does for the plugin's tr). */
function applyRepairs(ydoc: Y.Doc, repairs: ReturnType<typeof planIdRepairs>): void {
  const pm = pmOf(ydoc);
  const nodes = identifiedNodes(pm);
  const elements = yIdentified(ydoc);
  assert.equal(nodes.length, elements.length);
  ydoc.transact(() => {
    for (const r of repairs) {
      const index = nodes.findIndex((n) => n.pos === r.pos);
      assert.ok(index >= 0);
      elements[index]!.setAttribute('id', r.id);
    }
  });
}

/** Splits paragraph `index` (0-based, document order) at `offset` in Yjs terms, copying attrs. */
function rawSplit(ydoc: Y.Doc, index: number, offset: number): void {
  ydoc.transact(() => {
    const p = yIdentified(ydoc).filter((e) => e.nodeName === 'paragraph')[index]!;
    const text = p.get(0) as Y.XmlText;
    const tail = text.toString().slice(offset);
    text.delete(offset, text.length - offset);
    const copy = new Y.XmlElement('paragraph');
    for (const [k, v] of Object.entries(p.getAttributes())) copy.setAttribute(k, v as string);
    copy.insert(0, [new Y.XmlText(tail)]);
    const parent = p.parent as Y.XmlElement;
    parent.insert(parent.toArray().indexOf(p) + 1, [copy]);
  });
}

/** Moves paragraph `index` to the end of chapter `chapter`, keeping its attributes (a cut/paste). */
function rawMove(ydoc: Y.Doc, index: number, chapter: number): void {
  ydoc.transact(() => {
    const p = yIdentified(ydoc).filter((e) => e.nodeName === 'paragraph')[index]!;
    const copy = p.clone();
    const parent = p.parent as Y.XmlElement;
    parent.delete(parent.toArray().indexOf(p), 1);
    const target = ydoc.getXmlFragment(REPORT_FRAGMENT).get(chapter + 1) as Y.XmlElement;
    target.insert(target.length, [copy]);
  });
}

function remoteEditor(ydoc: Y.Doc): EditorState {
  return EditorState.create({ schema, doc: pmOf(ydoc), plugins: [paragraphIdsPlugin()] });
}

/** Replaces the editor's document with `doc` as y-prosemirror does for a remote change. */
function applyRemote(state: EditorState, doc: PMNode): EditorState {
  const tr = state.tr.replaceWith(0, state.doc.content.size, doc.content);
  tr.setMeta(ySyncPluginKey, { isChangeOrigin: true });
  return state.apply(tr);
}

describe('duplicate ids from concurrent edits are repaired identically everywhere', () => {
  for (const scenario of ['concurrent splits', 'concurrent moves'] as const) {
    test(scenario, () => {
      const a = yDocOf(baseDoc());
      const b = clone(a);
      const editorA = remoteEditor(a);
      const editorB = remoteEditor(b);
      if (scenario === 'concurrent splits') {
        // Both split paragraph a (at different places) before either saw the other's change;
        // each split's second half carries a copy of the id, as a split does before repair.
        rawSplit(a, 0, 6);
        rawSplit(b, 0, 11);
      } else {
        // Both moved paragraph b, to different chapters.
        rawMove(a, 1, 1);
        rawMove(b, 1, 0);
      }
      sync(a, b);
      const merged = pmOf(a);
      assert.deepEqual(merged.toJSON(), pmOf(b).toJSON(), 'the Y.Docs converged');
      const ids = paras(merged).map((p) => p.id);
      const duplicated = scenario === 'concurrent splits' ? 'para0000000a' : 'para0000000b';
      assert.ok(
        ids.filter((id) => id === duplicated).length >= 2,
        `the merge has duplicates: ${JSON.stringify(ids)}`,
      );
      assert.equal(idsAreUniqueAndPresent(merged), false);

      // Both sides plan the same repairs.
      const repairsA = planIdRepairs(pmOf(a), { deterministic: true });
      const repairsB = planIdRepairs(pmOf(b), { deterministic: true });
      assert.ok(repairsA.length > 0);
      assert.deepEqual(repairsA, repairsB);
      for (const r of repairsA) assert.match(r.id, FRESH_ID);
      // The first in document order keeps the id.
      const firstPos = identifiedNodes(merged).find((n) => n.id === duplicated)!.pos;
      assert.ok(!repairsA.some((r) => r.pos === firstPos));

      // The plugin, handed the merge as a remote change, makes the same repair in both editors.
      const afterA = applyRemote(editorA, pmOf(a));
      const afterB = applyRemote(editorB, pmOf(b));
      assert.deepEqual(afterA.doc.toJSON(), afterB.doc.toJSON());
      assertIdsValid(afterA);
      const repaired = paras(afterA).map((p) => p.id);
      for (const r of repairsA) assert.ok(repaired.includes(r.id), `${r.id} applied by the plugin`);

      // Written back concurrently on both sides, the repairs agree: unique ids, same docs.
      applyRepairs(a, repairsA);
      applyRepairs(b, repairsB);
      sync(a, b);
      assert.deepEqual(pmOf(a).toJSON(), pmOf(b).toJSON());
      assert.deepEqual(pmOf(a).toJSON(), afterA.doc.toJSON(), 'Yjs and the editor agree');
      assertIdsValid(pmOf(a));
      // Nothing left to repair.
      assert.deepEqual(planIdRepairs(pmOf(a), { deterministic: true }), []);
      a.destroy();
      b.destroy();
    });
  }

  test('derived ids are deterministic, distinct per occurrence, and avoid taken ids', () => {
    const taken = new Set<string>();
    const one = derivedNodeId('para0000000a', 1, taken);
    assert.equal(derivedNodeId('para0000000a', 1, new Set()), one);
    assert.match(one, FRESH_ID);
    assert.notEqual(derivedNodeId('para0000000a', 2, taken), one);
    assert.notEqual(derivedNodeId('para0000000b', 1, taken), one);
    assert.notEqual(derivedNodeId('para0000000a', 1, new Set([one])), one);
  });

  test('three copies of one id and a paragraph without id: repaired the same way twice', () => {
    const doc = buildDoc([
      {
        id: 'chapone00001',
        paragraphs: [
          ['dupdupdupdup', 'one'],
          ['dupdupdupdup', 'two'],
          [null, 'three'],
          ['dupdupdupdup', 'four'],
        ],
      },
    ]);
    const first = planIdRepairs(doc, { deterministic: true });
    assert.deepEqual(planIdRepairs(doc, { deterministic: true }), first);
    assert.equal(first.length, 3);
    const state = applyRemote(editor(), doc);
    assert.deepEqual(
      paras(state).map((p) => p.id),
      ['dupdupdupdup', first[0]!.id, first[1]!.id, first[2]!.id],
    );
    assertIdsValid(state);
  });
});
