/**
 * The document model in the browser (issue 16): a footnote is added at the caret and numbered
 * (and the next one before it renumbers both); a GA resolution is written with preambular
 * paragraphs (italic lead word, unnumbered) and numbered operative paragraphs. What the page
 * shows is checked against what the server stored.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import * as Y from 'yjs';
import { numberNodes } from '../../shared/numbering.js';
import { REPORT_FRAGMENT, schema } from '../../shared/schema.js';
import { type TestServer, waitFor } from '../helpers/server.js';
import { E2E_TIMEOUT, openAs, startBrowserTest } from './people.js';

/**
 * Waits until the caret is inside `selector` and the editor has seen it (a frame later, after
 * its selectionchange): keys pressed sooner act on the old selection on a loaded machine.
 */
async function caretIn(page: Page, selector: string) {
  // Page code as text: this file is type-checked without the DOM library.
  await page.waitForFunction(
    `(() => { const n = getSelection()?.anchorNode;
      const el = n && (n.nodeType === 1 ? n : n.parentElement);
      return !!el?.closest(${JSON.stringify(selector)}); })()`,
  );
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))');
}

async function stored(server: TestServer, reportId: string) {
  const s = await server.app.storage.loadDocument(reportId);
  if (!s) throw new Error('no document');
  const doc = new Y.Doc();
  if (s.snapshot) Y.applyUpdate(doc, s.snapshot.update);
  for (const u of s.updates) Y.applyUpdate(doc, u);
  const pm = yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment(REPORT_FRAGMENT), schema);
  doc.destroy();
  return pm;
}

test('a footnote is added at the caret, numbered, and renumbered by an earlier one', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Footnotes', 'gge-report');
  const { page } = await openAs(browser, `${server.baseUrl}/#/r/${report.id}`, {
    name: server.chair.displayName,
    cookie: server.chair.cookie,
  });
  const first = page.locator('.ProseMirror .chapter .para').first();
  await first.click();
  await page.keyboard.type('The Group recalled its earlier report');
  await page.getByTestId('footnote-text').fill('A/70/174.');
  await page.getByTestId('add-footnote').click();
  const notes = page.locator('.ProseMirror .footnote');
  await notes.first().waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await notes.first().getAttribute('data-num'), '1');
  assert.equal(await notes.first().textContent(), 'A/70/174.');

  // A second footnote, earlier in the text: it becomes 1, the first becomes 2.
  await first.click({ position: { x: 60, y: 8 } });
  await caretIn(page, '.ProseMirror .chapter .para');
  await page.keyboard.press('Home');
  await page.getByTestId('footnote-text').fill('Earlier note.');
  await page.getByTestId('add-footnote').click();
  await waitFor(async () => (await notes.count()) === 2, 'two footnotes', E2E_TIMEOUT);
  assert.deepEqual(await notes.evaluateAll((els) => els.map((e) => e.getAttribute('data-num'))), [
    '1',
    '2',
  ]);
  assert.deepEqual(await notes.allTextContents(), ['Earlier note.', 'A/70/174.']);

  // The server has both, as footnotes with ids, numbered the same way.
  await waitFor(
    async () =>
      numberNodes(await stored(server, report.id)).filter((e) => e.kind === 'footnote').length ===
      2,
    'the footnotes stored',
    E2E_TIMEOUT,
  );
  const doc = await stored(server, report.id);
  const footnotes = numberNodes(doc).filter((e) => e.kind === 'footnote');
  assert.deepEqual(
    footnotes.map((f) => [f.label, doc.nodeAt(f.pos)!.textContent]),
    [
      ['1', 'Earlier note.'],
      ['2', 'A/70/174.'],
    ],
  );
  assert.ok(footnotes.every((f) => f.id));
  // The first footnote sits where the caret was, right after the typed words; the second lands
  // before it (where Home put the caret: on a loaded machine the click's selection can arrive
  // after the key, so its exact offset is not asserted).
  assert.match(
    doc.textContent.replace('Earlier note.', ''),
    /The Group recalled its earlier reportA\/70\/174\./,
  );
  assert.ok(
    doc.textContent.indexOf('Earlier note.') < doc.textContent.indexOf('A/70/174.'),
    'the earlier footnote precedes the first one in the stored text',
  );
});

test('a GA resolution: preambular paragraphs unnumbered with an italic lead, operative numbered', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Developments in the field of ICTs', 'ga-resolution');
  const { page } = await openAs(browser, `${server.baseUrl}/#/r/${report.id}`, {
    name: server.chair.displayName,
    cookie: server.chair.cookie,
  });
  const preambular = page.locator('.ProseMirror .preamble .para');
  const operative = page.locator('.ProseMirror .operative .para');
  await preambular.first().waitFor({ timeout: E2E_TIMEOUT });

  await preambular.first().click();
  await caretIn(page, '.ProseMirror .preamble .para');
  await page.keyboard.press('Control+i');
  await page.keyboard.type('Recalling');
  await page.keyboard.press('Control+i');
  await page.keyboard.type(' its resolutions 53/70 and 70/237,');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+i');
  await page.keyboard.type('Noting');
  await page.keyboard.press('Control+i');
  await page.keyboard.type(' the report of the Group,');

  await operative.first().click();
  await caretIn(page, '.ProseMirror .operative .para');
  await page.keyboard.press('Control+i');
  await page.keyboard.type('Welcomes');
  await page.keyboard.press('Control+i');
  await page.keyboard.type(' the report;');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Control+i');
  await page.keyboard.type('Requests');
  await page.keyboard.press('Control+i');
  await page.keyboard.type(' the Secretary-General to report.');

  await waitFor(
    async () => (await operative.count()) === 2,
    'two operative paragraphs',
    E2E_TIMEOUT,
  );
  assert.equal(await preambular.count(), 2);
  assert.deepEqual(
    await preambular.evaluateAll((els) => els.map((e) => e.getAttribute('data-num') ?? '')),
    ['', ''],
  );
  assert.deepEqual(
    await operative.evaluateAll((els) => els.map((e) => e.getAttribute('data-num'))),
    ['1.', '2.'],
  );
  assert.deepEqual(await preambular.locator('em').allTextContents(), ['Recalling', 'Noting']);
  assert.deepEqual(await operative.locator('em').allTextContents(), ['Welcomes', 'Requests']);

  await waitFor(
    async () => (await stored(server, report.id)).textContent.includes('to report.'),
    'the resolution stored',
    E2E_TIMEOUT,
  );
  const doc = await stored(server, report.id);
  const paras = numberNodes(doc).filter((e) => e.kind === 'paragraph');
  assert.deepEqual(
    paras.map((p) => [p.scope, p.label, doc.nodeAt(p.pos)!.textContent]),
    [
      ['preamble', '', 'Recalling its resolutions 53/70 and 70/237,'],
      ['preamble', '', 'Noting the report of the Group,'],
      ['operative', '1.', 'Welcomes the report;'],
      ['operative', '2.', 'Requests the Secretary-General to report.'],
    ],
  );
});
