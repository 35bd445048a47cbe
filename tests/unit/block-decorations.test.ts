/**
 * The consensus and comment-badge decorations are kept up to date paragraph by paragraph
 * (client/src/editor/blockDecorations.ts): after any sequence of random edits, local ones and
 * whole-document replacements as y-prosemirror makes them for changes from Yjs, the incremental
 * set equals a full recomputation. Fixed seed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type Node as PMNode, Slice } from 'prosemirror-model';
import { EditorState, type Plugin, type PluginKey, TextSelection } from 'prosemirror-state';
import type { Decoration, DecorationSet } from 'prosemirror-view';
import { type BadgeInfo, badgesKey, badgesPlugin } from '../../client/src/comments/badges.js';
import {
  type ConsensusInfo,
  consensusKey,
  consensusPlugin,
} from '../../client/src/consensus/plugin.js';
import { changedRange } from '../../client/src/editor/blockDecorations.js';
import { splitParagraph } from '../../client/src/editor/commands.js';
import { paragraphIdsPlugin } from '../../shared/paragraphIds.js';
import { schema } from '../../shared/schema.js';

const n = schema.nodes;
const SNIPPETS = ['[', ']', 'a', ' ', '“', '”', '"', '[x]', 'word ', '[[b] c]', 'quote'];

/** Three chapters of three paragraphs; some with brackets, one with a footnote. */
function startDoc(): PMNode {
  let k = 0;
  const para = (text: string, footnote = false) =>
    n['paragraph']!.create({ id: `p${k++}`, level: 0 }, [
      schema.text(text),
      ...(footnote ? [n['footnote']!.create({ id: `f${k}` }, schema.text('note [x'))] : []),
    ]);
  return n['doc']!.createChecked(null, [
    n['title']!.create(null, schema.text('Report')),
    ...[0, 1, 2].map((c) =>
      n['chapter']!.create({ id: `c${c}` }, [
        n['chapter_heading']!.create(null, schema.text(`Chapter ${c}`)),
        para('The [Group] recommends a quote'),
        para('States “should [not]” act', c === 1),
        para('word [unbalanced'),
      ]),
    ),
  ]);
}

/** Positions where text may be inserted (inside paragraphs and footnotes). */
function textPositions(doc: PMNode): number[] {
  const out: number[] = [];
  doc.descendants((node, pos) => {
    if (node.type.name === 'paragraph' || node.type.name === 'footnote') {
      for (let i = 0; i <= node.content.size; i++) {
        const $p = doc.resolve(pos + 1 + i);
        if ($p.parent.inlineContent) out.push(pos + 1 + i);
      }
    }
    return true;
  });
  return out;
}

const op = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'split', 'join', 'remote', 'remoteAttrs'),
  a: fc.nat(10_000),
  b: fc.nat(20),
  snippet: fc.constantFrom(...SNIPPETS),
});

type Op = { kind: string; a: number; b: number; snippet: string };

function step(state: EditorState, o: Op): EditorState {
  const positions = textPositions(state.doc);
  const at = positions[o.a % positions.length]!;
  const tr = state.tr;
  switch (o.kind) {
    case 'insert':
      tr.insertText(o.snippet, at);
      break;
    case 'delete': {
      // Within one text block (a range across blocks is what 'join' does).
      const $at = state.doc.resolve(at);
      tr.delete(at, Math.min(at + o.b, $at.end()));
      break;
    }
    case 'split': {
      const $at = state.doc.resolve(at);
      if ($at.parent.type.name !== 'paragraph') return state;
      let next = state.apply(state.tr.setSelection(TextSelection.create(state.doc, at)));
      splitParagraph(next, (t) => {
        next = next.apply(t);
      });
      return next;
    }
    case 'join': {
      // Backspace at a paragraph's start: joins it to the one before when they are siblings.
      const $at = state.doc.resolve(at);
      if ($at.parent.type.name !== 'paragraph') return state;
      const before = $at.before();
      const $b = state.doc.resolve(before);
      if ($b.nodeBefore?.type.name !== 'paragraph') return state;
      tr.join(before);
      break;
    }
    case 'remote':
    case 'remoteAttrs': {
      // As y-prosemirror shows a change from Yjs: the whole document replaced by one that
      // shares every unchanged node.
      const $at = state.doc.resolve(at);
      if ($at.parent.type.name !== 'paragraph') return state;
      let doc: PMNode;
      if (o.kind === 'remote') {
        doc = state.doc.replace(
          at,
          at,
          new Slice(n['paragraph']!.create(null, schema.text(o.snippet)).content, 0, 0),
        );
      } else {
        const para = $at.before();
        const t = state.tr.setNodeMarkup(para, undefined, {
          ...$at.parent.attrs,
          level: ($at.parent.attrs['level'] as number) === 0 ? 1 : 0,
        });
        doc = t.doc;
      }
      tr.replace(0, state.doc.content.size, new Slice(doc.content, 0, 0));
      break;
    }
  }
  return state.apply(tr);
}

/** A decoration as comparable text: where, which kind, what it shows. */
function describe(d: Decoration): string {
  const type = (d as unknown as { type: { constructor: { name: string }; attrs?: unknown } }).type;
  const what = (d.spec as { key?: string }).key ?? JSON.stringify(type.attrs ?? null);
  return `${d.from}-${d.to}-${type.constructor.name}-${what}`;
}

function all(set: DecorationSet | undefined): string[] {
  return (set?.find() ?? []).map(describe).sort();
}

function check<T>(
  plugin: () => Plugin,
  key: PluginKey<{ decorations: DecorationSet }>,
  data: T,
): void {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 25 }), (ops) => {
      let state = EditorState.create({
        schema,
        doc: startDoc(),
        plugins: [paragraphIdsPlugin(), plugin()],
      });
      state = state.apply(state.tr.setMeta(key, data));
      for (const o of ops) {
        state = step(state, o);
        const fresh = EditorState.create({ schema, doc: state.doc, plugins: [plugin()] });
        const full = fresh.apply(fresh.tr.setMeta(key, data));
        assert.deepEqual(
          all(key.getState(state)?.decorations),
          all(key.getState(full)?.decorations),
        );
      }
    }),
    { seed: 19, numRuns: 150 },
  );
}

test('consensus decorations after random edits equal a full recomputation', () => {
  const info: ConsensusInfo = {
    statuses: new Map([
      ['p0', 'agreed_ad_ref'],
      ['p4', 'under_discussion'],
      ['p6', 'deferred'],
    ]),
    silenced: new Set(['p5']),
    locked: new Set(),
    openOnly: true,
  };
  check(
    () => consensusPlugin({ renderLabel: () => null as never, onRefused: () => {} }),
    consensusKey as never,
    info,
  );
});

test('comment badges and quote highlights after random edits equal a full recomputation', () => {
  const info = new Map<string, BadgeInfo>([
    ['p0', { open: 2, unread: true, quotes: ['quote', 'a'] }],
    ['p3', { open: 1, unread: false, quotes: ['[x]'] }],
    ['p7', { open: 1, unread: false }],
  ]);
  check(() => badgesPlugin(() => null as never), badgesKey as never, info);
});

test('the changed range of two documents covers exactly what differs', () => {
  const a = startDoc();
  assert.equal(changedRange(a, a), null);
  const p = textPositions(a)[12]!;
  const b = a.replace(
    p,
    p,
    new Slice(n['paragraph']!.create(null, schema.text('xy')).content, 0, 0),
  );
  assert.deepEqual(changedRange(a, b), { from: p, toBefore: p, toAfter: p + 2 });
  // Typing "e" after "e" (in "recommends"): the repeated letter lets the end scan pass the
  // start; the range still runs forwards and holds one character.
  let at = -1;
  a.descendants((node, p) => {
    if (at < 0 && node.isText) {
      const i = node.text!.indexOf('re');
      if (i >= 0) at = p + i + 2;
    }
    return at < 0;
  });
  const c = a.replace(
    at,
    at,
    new Slice(n['paragraph']!.create(null, schema.text('e')).content, 0, 0),
  );
  const range = changedRange(a, c)!;
  assert.equal(range.toAfter - range.from, 1);
  assert.equal(range.toBefore, range.from);
});
