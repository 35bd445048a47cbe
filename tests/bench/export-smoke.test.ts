/**
 * The export benchmark (tests/bench/export.ts) at a tiny size: the scenario builds the report it
 * says (paragraphs, sub-paragraphs, footnotes) and every format it measures is produced. No
 * timing is asserted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outlineFromDoc } from '../../shared/outline.js';
import { benchExports, benchReport } from './export.js';

test('export bench smoke: the report has its paragraphs and footnotes, each format is made', async () => {
  const doc = benchReport(40, 6);
  const o = outlineFromDoc(doc);
  assert.equal(o.blocks.filter((b) => b.kind === 'paragraph').length, 40);
  assert.equal(o.footnotes.length, 6);
  assert.ok(o.blocks.some((b) => b.level === 1));
  const rows = await benchExports(doc, 1);
  assert.deepEqual(
    rows.map((r) => r.format),
    ['docx manuscript', 'docx issued', 'akn'],
  );
  for (const r of rows) assert.ok(r.bytes > 1000, `${r.format}: ${r.bytes} bytes`);
});
