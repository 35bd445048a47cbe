/**
 * The live word count (docWordCount, shared/wordCount.ts) equals the exports' count
 * (wordCount(outlineFromDoc(…))) on random reports and resolutions: titles, headings, paragraphs
 * with line breaks, footnotes and cited symbols, sections and annexes; and after an edit it still
 * does (its per-block cache follows the nodes). The print list's footnotes (footnoteTexts) are
 * the outline's. Fixed seed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Fragment, type Node as PMNode, Slice } from 'prosemirror-model';
import { footnoteTexts, outlineFromDoc, plainText } from '../../shared/outline.js';
import { schema } from '../../shared/schema.js';
import { docWordCount, wordCount } from '../../shared/wordCount.js';

const n = schema.nodes;
const TOKENS = ['word', ' ', 'two words', '12', '—', ' [x] ', '.', 'é', '  ', '1.5'];

const inline = fc.oneof(
  { arbitrary: fc.constantFrom(...TOKENS).map((s) => ({ kind: 'text' as const, s })), weight: 6 },
  { arbitrary: fc.constant({ kind: 'break' as const, s: '' }), weight: 1 },
  { arbitrary: fc.constantFrom(...TOKENS).map((s) => ({ kind: 'note' as const, s })), weight: 1 },
  {
    arbitrary: fc.constantFrom('A/70/174', 'S/1').map((s) => ({ kind: 'ref' as const, s })),
    weight: 1,
  },
);
const inlines = fc.array(inline, { maxLength: 8 });
type Inl = { kind: 'text' | 'break' | 'note' | 'ref'; s: string };

let ids = 0;
function content(list: Inl[]): PMNode[] {
  return list.map((i) => {
    if (i.kind === 'break') return n['hard_break']!.create();
    if (i.kind === 'note') return n['footnote']!.create({ id: `f${ids++}` }, schema.text(i.s));
    if (i.kind === 'ref')
      return schema.text(i.s, [schema.marks['docref']!.create({ symbol: i.s })]);
    return schema.text(i.s);
  });
}
const para = (list: Inl[]) => n['paragraph']!.create({ id: `p${ids++}`, level: 0 }, content(list));

const docArb = fc.record({
  resolution: fc.boolean(),
  title: inlines,
  parts: fc.array(
    fc.record({
      kind: fc.constantFrom('chapter', 'annex', 'front_matter'),
      heading: inlines,
      paragraphs: fc.array(inlines, { minLength: 1, maxLength: 4 }),
      section: fc.option(
        fc.record({
          heading: inlines,
          paragraphs: fc.array(inlines, { minLength: 1, maxLength: 3 }),
        }),
      ),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

function build(d: unknown): PMNode {
  const spec = d as {
    resolution: boolean;
    title: Inl[];
    parts: Array<{
      kind: string;
      heading: Inl[];
      paragraphs: Inl[][];
      section: { heading: Inl[]; paragraphs: Inl[][] } | null;
    }>;
  };
  const title = n['title']!.create(null, content(spec.title));
  if (spec.resolution) {
    const all = spec.parts.flatMap((p) => p.paragraphs);
    return n['doc']!.createChecked(null, [
      title,
      n['preamble']!.create(null, [para(all[0]!)]),
      n['operative']!.create(null, all.slice(1).length ? all.slice(1).map(para) : [para([])]),
    ]);
  }
  const parts = spec.parts.map((p) => {
    const heading = n[`${p.kind === 'front_matter' ? 'front_matter' : p.kind}_heading`];
    const children: PMNode[] = [];
    if (heading) children.push(heading.create(null, content(p.heading)));
    children.push(...p.paragraphs.map(para));
    if (p.kind === 'chapter' && p.section) {
      children.push(
        n['section']!.create({ id: `s${ids++}` }, [
          n['section_heading']!.create(null, content(p.section.heading)),
          ...p.section.paragraphs.map(para),
        ]),
      );
    }
    return n[p.kind]!.create({ id: `c${ids++}` }, children);
  });
  return n['doc']!.create(null, [title, ...parts]);
}

test('the live word count equals the exports’ count, before and after an edit', () => {
  fc.assert(
    fc.property(docArb, fc.nat(1000), fc.constantFrom(...TOKENS), (spec, at, token) => {
      let doc: PMNode;
      try {
        doc = build(spec);
        doc.check();
      } catch {
        return; // a structure the schema refuses (checked below for the usual ones)
      }
      assert.equal(docWordCount(doc).words, wordCount(outlineFromDoc(doc)).words);
      assert.deepEqual(
        footnoteTexts(doc),
        outlineFromDoc(doc).footnotes.map((f) => plainText(f.runs)),
      );
      // Insert a token into some text block: only that block is counted again.
      const spots: number[] = [];
      doc.descendants((node, pos) => {
        if (node.isTextblock) spots.push(pos + 1);
        return true;
      });
      const pos = spots[at % spots.length]!;
      const changed = doc.replace(pos, pos, new Slice(Fragment.from(schema.text(token)), 0, 0));
      assert.equal(docWordCount(changed).words, wordCount(outlineFromDoc(changed)).words);
    }),
    { seed: 19, numRuns: 300 },
  );
});

test('the random reports include the usual structures (not all refused)', () => {
  const doc = build({
    resolution: false,
    title: [{ kind: 'text', s: 'Report' }],
    parts: [
      {
        kind: 'chapter',
        heading: [{ kind: 'text', s: 'Introduction' }],
        paragraphs: [
          [
            { kind: 'text', s: 'The Group met.' },
            { kind: 'note', s: 'See also' },
            { kind: 'break', s: '' },
            { kind: 'text', s: 'again' },
          ],
        ],
        section: {
          heading: [{ kind: 'text', s: 'Mandate' }],
          paragraphs: [[{ kind: 'ref', s: 'A/70/174' }]],
        },
      },
      {
        kind: 'annex',
        heading: [{ kind: 'text', s: 'Annex text' }],
        paragraphs: [[{ kind: 'text', s: 'Brazil' }]],
        section: null,
      },
    ],
  });
  doc.check();
  // Report, Introduction, The Group met. (3), See also (2), again, Mandate, A/70/174, Annex text (2), Brazil.
  assert.equal(docWordCount(doc).words, 13);
  assert.equal(wordCount(outlineFromDoc(doc)).words, 13);
});
