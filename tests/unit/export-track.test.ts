/**
 * A comparison of two versions as a .docx with Word track changes (server/export/track.ts):
 * accepting every change gives exactly the later version's paragraphs (numbers included),
 * rejecting every change the earlier one's; changes are real w:ins / w:del attributed to the
 * Chair with the revision's date. LibreOffice reading it: export-readers.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toDocx } from '../../server/export/docx.js';
import { diffWords, trackedOutline } from '../../server/export/track.js';
import type { Outline } from '../../shared/outline.js';
import { wordCount } from '../../shared/wordCount.js';
import { resolvedParagraphs, sampleReport, trackedPair, unzip } from '../helpers/export.js';

const TRACKING = { author: 'Chair', date: '2021-03-10T00:00:00Z' };

async function documentXml(outline: Outline, tracking?: typeof TRACKING) {
  const file = await toDocx(outline, {
    layout: 'manuscript',
    option: 'clean',
    wordCount: wordCount(outline),
    generatedAt: '2026-12-07T10:00:00.000Z',
    ...(tracking ? { tracking } : {}),
  });
  return unzip(file);
}

describe('track changes', () => {
  test('accept all gives the later version, reject all the earlier one, paragraph by paragraph', async () => {
    const { earlier, later } = trackedPair();
    const tracked = await documentXml(trackedOutline(earlier, later), TRACKING);
    const xml = tracked.get('word/document.xml')!.toString();
    const laterXml = (await documentXml(later)).get('word/document.xml')!.toString();
    const earlierXml = (await documentXml(earlier)).get('word/document.xml')!.toString();
    // The masthead's word count is the later version's (metadata, not tracked text).
    const text = (x: string, how: 'accept' | 'reject' | 'none') =>
      resolvedParagraphs(x, how).filter((l) => !l.startsWith('Word count:'));
    assert.deepEqual(text(xml, 'accept'), text(laterXml, 'none'));
    assert.deepEqual(text(xml, 'reject'), text(earlierXml, 'none'));
    assert.ok(text(xml, 'accept').includes('3.\tThe Group recommends that States:'));
    assert.ok(text(xml, 'reject').includes('(i)\tAt the regional level;'));
    // Footnotes too: the changed note's text.
    const notes = tracked.get('word/footnotes.xml')!.toString();
    const laterNotes = (await documentXml(later)).get('word/footnotes.xml')!.toString();
    const earlierNotes = (await documentXml(earlier)).get('word/footnotes.xml')!.toString();
    assert.deepEqual(resolvedParagraphs(notes, 'accept'), resolvedParagraphs(laterNotes, 'none'));
    assert.deepEqual(resolvedParagraphs(notes, 'reject'), resolvedParagraphs(earlierNotes, 'none'));
  });

  test('the changes are w:ins and w:del by the Chair on the revision date; numbers follow the later version', async () => {
    const { earlier, later } = trackedPair();
    const xml = (await documentXml(trackedOutline(earlier, later), TRACKING))
      .get('word/document.xml')!
      .toString();
    const changes = [...xml.matchAll(/<w:(ins|del) ([^>]*)>/g)];
    assert.ok(changes.some((c) => c[1] === 'ins') && changes.some((c) => c[1] === 'del'));
    for (const c of changes) {
      assert.match(c[2]!, /w:author="Chair"/);
      assert.match(c[2]!, /w:date="2021-03-10T00:00:00Z"/);
    }
    const ids = changes.map((c) => /w:id="(\d+)"/.exec(c[2]!)?.[1]);
    assert.equal(new Set(ids).size, ids.length, 'unique change ids');
    // Paragraph 2 became 3: the old number deleted, the new one inserted.
    assert.match(
      xml,
      /<w:del [^>]*><w:r><w:delText[^>]*>2\.<\/w:delText><\/w:r><\/w:del><w:ins [^>]*><w:r><w:t[^>]*>3\.<\/w:t><\/w:r><\/w:ins>/,
    );
    // The inserted paragraph's mark is tracked.
    assert.match(xml, /<w:rPr><w:ins [^>]*\/><\/w:rPr>/);
  });

  test('identical versions give no change; word diff keeps words whole', () => {
    const o = sampleReport();
    const same = trackedOutline(o, sampleReport());
    assert.ok(same.blocks.every((b) => !b.change && !b.labelRuns));
    assert.ok(
      same.blocks.every((b) => b.inlines.every((i) => !('change' in i) || i.change === undefined)),
    );
    assert.deepEqual(diffWords('The Group met in New York.', 'The Group met in Geneva.'), [
      { kind: 'same', text: 'The Group met in ' },
      { kind: 'del', text: 'New York.' },
      { kind: 'ins', text: 'Geneva.' },
    ]);
  });
});
