/**
 * Akoma Ntoso import (server/import/akn.ts): round trips through Concord's AKN export (import →
 * AKN, validated by the OASIS schema → import gives the same structure, numbering, text,
 * italics, references, footnotes and masthead), and hostile XML refused with a 400 before or
 * while parsing: entity declarations (XXE, billion laughs), not XML, not Akoma Ntoso, another
 * encoding, nesting deep enough to overflow a recursive reader.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { toAkn } from '../../server/export/akn.js';
import { buildDocument } from '../../server/import/build.js';
import { readImport } from '../../server/import/read.js';
import { ImportError } from '../../server/import/source.js';
import { DEFAULT_META, type Outline, outlineFromDoc, plainText } from '../../shared/outline.js';
import { wordCount } from '../../shared/wordCount.js';
import { validateAkn } from '../helpers/export.js';

const FIXTURE = fs.readFileSync(new URL('../fixtures/import/A-C.1-70-L.45.txt', import.meta.url));
const META = {
  ...DEFAULT_META,
  symbol: 'A/C.1/70/L.45',
  distribution: 'Limited' as const,
  date: '2015-10-21',
  originalLanguage: 'English',
  sessionLines: ['Seventieth session', 'Agenda item 92'],
};

async function outlineOf(format: 'text' | 'akn', bytes: Uint8Array) {
  const rec = await readImport(format, bytes);
  return { rec, outline: outlineFromDoc(buildDocument(rec).doc, META) };
}

function shape(o: Outline) {
  return {
    type: o.type,
    title: plainText(o.title),
    blocks: o.blocks.map((b) => ({
      kind: b.kind,
      part: b.part,
      label: b.label,
      level: b.level,
      text: plainText(b.inlines),
      italic: b.inlines.flatMap((i) => ('text' in i && i.em ? [i.text] : [])),
      refs: b.inlines.flatMap((i) => ('ref' in i && i.ref ? [i.ref] : [])),
      notes: b.inlines.flatMap((i) => ('footnote' in i ? [i.footnote] : [])),
    })),
    footnotes: o.footnotes.map((f) => plainText(f.runs)),
  };
}

function akn(o: Outline): string {
  const xml = toAkn(o, {
    generatedAt: '2026-12-07T00:00:00Z',
    fallbackName: 'r1',
    wordCount: wordCount(o),
  });
  const valid = validateAkn(xml);
  assert.ok(valid.ok, valid.output);
  return xml;
}

const REPORT = [
  'Report of the Group',
  'Foreword',
  'The Secretary-General welcomes the report.',
  'I. Introduction',
  '1. The Group met in New York.¹',
  '2. The Group considered:',
  '(a) threats;',
  '(b) norms, including:',
  '(i) first;',
  '(ii) second;',
  'A. Mandate',
  '3. The mandate is in [A/70/174](#).',
  'II. Conclusions',
  '4. The Group recommends [further work].',
  'Annex I',
  'List of members',
  '1. Brazil',
  'Annex II',
  'Statements',
  '1. None.',
  '¹ See A/68/98.',
].join('\n');

describe('round trips through the Akoma Ntoso export', () => {
  test('A/C.1/70/L.45: text → AKN (schema-valid) → import keeps the same outline and masthead', async () => {
    const first = await outlineOf('text', FIXTURE);
    const second = await outlineOf('akn', new TextEncoder().encode(akn(first.outline)));
    assert.deepEqual(shape(second.outline), shape(first.outline));
    assert.deepEqual(
      {
        symbol: second.rec.metadata.symbol,
        distribution: second.rec.metadata.distribution,
        date: second.rec.metadata.date,
        session: second.rec.metadata.session,
        agendaItem: second.rec.metadata.agendaItem,
        originalLanguage: second.rec.metadata.originalLanguage,
      },
      {
        symbol: 'A/C.1/70/L.45',
        distribution: 'Limited',
        date: '2015-10-21',
        session: 'Seventieth session',
        agendaItem: 'Agenda item 92',
        originalLanguage: 'English',
      },
    );
  });

  test('a report with front matter, sections, (a)/(i) levels, footnotes and two annexes', async () => {
    const first = await outlineOf('text', new TextEncoder().encode(REPORT));
    const second = await outlineOf('akn', new TextEncoder().encode(akn(first.outline)));
    assert.deepEqual(shape(second.outline), shape(first.outline));
  });
});

async function refused(xml: string | Uint8Array, message: RegExp) {
  const bytes = typeof xml === 'string' ? new TextEncoder().encode(xml) : xml;
  await assert.rejects(readImport('akn', bytes), (err: unknown) => {
    assert.ok(err instanceof ImportError, String(err));
    assert.equal(err.statusCode, 400);
    assert.match(err.message, message);
    return true;
  });
}

const NS = 'http://docs.oasis-open.org/legaldocml/ns/akn/3.0';

describe('hostile or wrong XML is refused', () => {
  test('XXE: an external entity is refused before parsing, nothing is read', async () => {
    await refused(
      `<?xml version="1.0"?><!DOCTYPE akomaNtoso [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><akomaNtoso xmlns="${NS}"><doc name="report"><mainBody><p>&xxe;</p></mainBody></doc></akomaNtoso>`,
      /DOCTYPE or entity declarations/,
    );
  });

  test('entity expansion (billion laughs) is refused before parsing', async () => {
    const lol = Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`,
    ).join('');
    await refused(
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${lol}]><akomaNtoso xmlns="${NS}"><doc name="report"><mainBody><p>&lol9;</p></mainBody></doc></akomaNtoso>`,
      /DOCTYPE or entity declarations/,
    );
  });

  test('an undeclared entity, not well-formed XML, not XML at all, not Akoma Ntoso', async () => {
    await refused(
      `<akomaNtoso xmlns="${NS}"><doc name="report"><mainBody><p>&nbsp;</p></mainBody></doc></akomaNtoso>`,
      /Not well-formed XML/,
    );
    await refused(`<akomaNtoso xmlns="${NS}"><doc>`, /Not well-formed XML/);
    await refused('1. The Group met.', /not XML/);
    await refused('<html><body><p>Hi</p></body></html>', /root element is <html>/);
  });

  test('another encoding, bytes that are not UTF-8', async () => {
    await refused(
      `<?xml version="1.0" encoding="ISO-8859-1"?><akomaNtoso xmlns="${NS}"/>`,
      /declares ISO-8859-1/,
    );
    await refused(new Uint8Array([0x3c, 0x61, 0xff, 0xfe, 0x3e]), /not UTF-8/);
  });

  test('nesting deep enough to overflow a recursive reader is a 400, not a crash', async () => {
    const depth = 5000;
    const xml = `<akomaNtoso xmlns="${NS}"><doc name="report"><mainBody>${'<section>'.repeat(depth)}${'</section>'.repeat(depth)}</mainBody></doc></akomaNtoso>`;
    await refused(xml, /nested too deeply/);
  });
});
