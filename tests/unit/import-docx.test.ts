/**
 * .docx import (server/import/docx.ts): round trips through Concord's own export (import →
 * .docx in both layouts → import gives the same structure, numbering, text, italics and
 * footnotes), and hostile files refused before mammoth reads them: not a zip, a damaged zip,
 * no Word document, a zip bomb (also one whose headers lie about its size), too many entries,
 * macros, external content.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { toDocx } from '../../server/export/docx.js';
import { buildDocument } from '../../server/import/build.js';
import { readImport } from '../../server/import/read.js';
import { ImportError } from '../../server/import/source.js';
import { DOCX_MAX_ENTRIES, DOCX_MAX_INFLATED } from '../../shared/import.js';
import { DEFAULT_META, type Outline, outlineFromDoc, plainText } from '../../shared/outline.js';
import { templateDocument } from '../../shared/templates.js';
import { wordCount } from '../../shared/wordCount.js';

const FIXTURE = fs.readFileSync(new URL('../fixtures/import/A-C.1-70-L.45.txt', import.meta.url));
const META = {
  ...DEFAULT_META,
  symbol: 'A/C.1/70/L.45',
  distribution: 'Limited' as const,
  date: '2015-10-21',
  sessionLines: ['Seventieth session', 'Agenda item 92'],
};

async function outlineOf(format: 'text' | 'docx', bytes: Uint8Array) {
  const rec = await readImport(format, bytes);
  return { rec, outline: outlineFromDoc(buildDocument(rec).doc, META) };
}

/** What a round trip must keep: kinds, parts, computed labels, levels, text, italics, notes. */
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

const docx = (o: Outline, layout: 'manuscript' | 'issued') =>
  toDocx(o, {
    layout,
    option: 'clean',
    wordCount: wordCount(o),
    generatedAt: '2026-12-07T00:00:00Z',
  });

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

describe('round trips through the .docx export', () => {
  for (const layout of ['manuscript', 'issued'] as const) {
    test(`A/C.1/70/L.45: text → .docx (${layout}) → import keeps the same outline and masthead`, async () => {
      const first = await outlineOf('text', FIXTURE);
      const second = await outlineOf('docx', await docx(first.outline, layout));
      assert.deepEqual(shape(second.outline), shape(first.outline));
      assert.equal(second.rec.metadata.symbol, 'A/C.1/70/L.45');
      assert.equal(second.rec.metadata.session, 'Seventieth session');
      assert.equal(second.rec.metadata.agendaItem, 'Agenda item 92');
      assert.equal(second.rec.metadata.date, '2015-10-21');
      assert.equal(second.rec.metadata.distribution, 'Limited');
    });

    test(`a report with front matter, sections, levels and two annexes (${layout})`, async () => {
      const first = await outlineOf('text', new TextEncoder().encode(REPORT));
      assert.equal(first.outline.blocks.filter((b) => b.kind === 'annex').length, 2);
      const second = await outlineOf('docx', await docx(first.outline, layout));
      assert.deepEqual(shape(second.outline), shape(first.outline));
    });
  }

  test('the GGE template (empty numbered paragraphs, front matter, the members annex)', async () => {
    const first = outlineFromDoc(templateDocument('gge-report', 'GGE'), META);
    const second = await outlineOf('docx', await docx(first, 'manuscript'));
    const headings = (o: Outline) =>
      o.blocks
        .filter((b) => b.kind !== 'paragraph')
        .map((b) => [b.kind, b.label, plainText(b.inlines)]);
    assert.deepEqual(headings(second.outline), headings(first));
  });
});

/** A zip with the parts a .docx needs, plus `extra` entries. */
function docxZip(extra: Record<string, Uint8Array> = {}): Uint8Array {
  return zipSync({
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    ),
    'word/document.xml': strToU8('<w:document/>'),
    ...extra,
  });
}

async function refused(bytes: Uint8Array, status: number, message: RegExp) {
  await assert.rejects(readImport('docx', bytes), (err: unknown) => {
    assert.ok(err instanceof ImportError, String(err));
    assert.equal(err.statusCode, status);
    assert.match(err.message, message);
    return true;
  });
}

describe('hostile or wrong .docx files are refused before they are parsed', () => {
  test('not a zip, a damaged zip, a zip with no Word document', async () => {
    await refused(new TextEncoder().encode('Just text.'), 400, /not a zip/);
    const good = docxZip();
    await refused(good.subarray(0, good.length - 30), 400, /damaged/);
    await refused(zipSync({ 'a.txt': strToU8('x') }), 400, /no Word document/);
  });

  test('a zip bomb: refused on its declared size, and when its headers lie, on the bytes it inflates to', async () => {
    const big = new Uint8Array(DOCX_MAX_INFLATED + 1024 * 1024);
    const bomb = docxZip({ 'word/media/pad.bin': big });
    assert.ok(bomb.length < 1024 * 1024, `compressed to ${bomb.length} bytes`);
    await refused(bomb, 413, /inflate to more than 64 MiB/);
    // The same zip with its declared uncompressed size rewritten to 1 KiB, in the local header
    // and the central directory.
    const liar = Uint8Array.from(bomb);
    const view = new DataView(liar.buffer);
    for (let i = 0; i + 4 <= liar.length; i++) {
      const sig = view.getUint32(i, true);
      if (sig !== 0x04034b50 && sig !== 0x02014b50) continue;
      const nameAt = sig === 0x04034b50 ? 30 : 46;
      const nameLen = view.getUint16(i + (sig === 0x04034b50 ? 26 : 28), true);
      const name = new TextDecoder().decode(liar.subarray(i + nameAt, i + nameAt + nameLen));
      if (name === 'word/media/pad.bin')
        view.setUint32(i + (sig === 0x04034b50 ? 22 : 24), 1024, true);
    }
    await refused(liar, 413, /inflates to more than 64 MiB/);
  });

  test(`more than ${DOCX_MAX_ENTRIES} entries`, async () => {
    const many: Record<string, Uint8Array> = {};
    for (let i = 0; i <= DOCX_MAX_ENTRIES; i++) many[`word/x${i}.xml`] = new Uint8Array(0);
    await refused(docxZip(many), 400, /more than 2000 entries/);
  });

  test('macros (.docm) and links to external content', async () => {
    await refused(docxZip({ 'word/vbaProject.bin': strToU8('macro') }), 400, /macros/);
    const rels = (type: string, mode = 'External') =>
      strToU8(
        `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/${type}" Target="http://example.invalid/x" TargetMode="${mode}"/></Relationships>`,
      );
    await refused(
      docxZip({ 'word/_rels/settings.xml.rels': rels('attachedTemplate') }),
      400,
      /external content \(attachedTemplate\)/,
    );
    await refused(
      docxZip({ 'word/_rels/document.xml.rels': rels('oleObject') }),
      400,
      /external content \(oleObject\)/,
    );
    // A hyperlink is not fetched: a document with one is read (here: it has no text).
    await refused(
      docxZip({ 'word/_rels/document.xml.rels': rels('hyperlink') }),
      400,
      /no text|could not be parsed/,
    );
  });
});
