/**
 * Export and print in Chromium: the chair sees the live word count and the Export menu, downloads
 * the manuscript .docx through it, and the print preview (Chromium's own PDF of the print media)
 * holds the document alone, with numbers and the footnote list, without the application's
 * chrome. An observer's menu has Print only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pdfText, unzip } from '../helpers/export.js';
import { waitFor } from '../helpers/server.js';
import { E2E_TIMEOUT, openAs, startBrowserTest } from './people.js';

test('word count, Export menu download, print preview without chrome; observers print only', {
  timeout: 180_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Printed report', 'gge-report');
  const url = `${server.baseUrl}/#/r/${report.id}`;
  const { page } = await openAs(browser, url, {
    name: server.chair.displayName,
    cookie: server.chair.cookie,
  });

  const count = page.getByTestId('word-count');
  const words = async () => Number(await count.getAttribute('data-words'));
  await count.waitFor({ timeout: E2E_TIMEOUT });
  const before = await words();
  // Chapter I's first paragraph (numbered 1.), not the front matter's (unnumbered).
  await page.locator('.ProseMirror section.chapter .para').first().click();
  await page.keyboard.type('States should cooperate in good faith');
  await waitFor(async () => (await words()) === before + 6, 'the live word count', E2E_TIMEOUT);
  assert.match((await count.textContent()) ?? '', /\/ 10,700 words$/);

  // The menu's manuscript link downloads the .docx with the typed text.
  await page.getByTestId('export-menu').locator('summary').click();
  const link = page.getByTestId('export-manuscript');
  await link.waitFor({ timeout: E2E_TIMEOUT });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), 'Printed-report.docx');
  const file = await download.path();
  const { readFileSync } = await import('node:fs');
  const doc = unzip(readFileSync(file)).get('word/document.xml')!.toString();
  assert.match(doc, /States should cooperate in good faith/);

  // The menu closes on Escape, giving the focus back to its summary, and on a click outside it
  // (client/src/ui/dismiss.ts, which the account menu shares).
  const menuOpen = async () =>
    (await page.evaluate(`document.querySelector('[data-testid=export-menu]').open`)) as boolean;
  const summary = page.getByTestId('export-menu').locator('summary');
  if (!(await menuOpen())) await summary.click();
  await waitFor(menuOpen, 'the Export menu opens', E2E_TIMEOUT);
  await page.keyboard.press('Escape');
  await waitFor(async () => !(await menuOpen()), 'Escape closes the Export menu', E2E_TIMEOUT);
  assert.equal(
    await page.evaluate(
      `document.activeElement === document.querySelector('[data-testid=export-menu] summary')`,
    ),
    true,
    'the focus is back on the summary',
  );
  await summary.click();
  await waitFor(menuOpen, 'the Export menu opens again', E2E_TIMEOUT);
  await count.click();
  await waitFor(async () => !(await menuOpen()), 'a click outside closes it', E2E_TIMEOUT);

  // Print preview: the print stylesheet's PDF.
  await page.keyboard.press('Escape');
  await page.emulateMedia({ media: 'print' });
  const text = pdfText(await page.pdf({ format: 'Letter' }))
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  const all = text.join('\n');
  assert.ok(text.includes('Printed report'), all);
  assert.ok(
    text.some((l) => /^1\. States should cooperate in good faith$/.test(l)),
    all,
  );
  assert.ok(
    text.some((l) => /^VII\. Conclusions and recommendations for future work$/.test(l)),
    all,
  );
  for (const chrome of [
    '← Reports',
    'Export',
    'words',
    'Saved',
    'Tab / Shift-Tab',
    'Concord',
    'Edit details',
    'Add footnote',
    'Add front matter',
  ])
    assert.ok(!all.includes(chrome), `"${chrome}" printed:\n${all}`);
  await page.emulateMedia({ media: 'screen' });

  const observer = await server.addUser('observer', 'European Union', 'EU Observer');
  const o = await openAs(browser, url, { name: 'EU Observer', cookie: observer.cookie });
  await o.page.getByTestId('export-menu').locator('summary').click();
  await o.page.getByTestId('print').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await o.page.getByTestId('export-manuscript').count(), 0);
});
