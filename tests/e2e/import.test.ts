/**
 * Import in Chromium: the chair chooses the real draft resolution A/C.1/70/L.45 as a file, sees
 * the preview (counts, computed numbers, unsure items highlighted), confirms, and lands in the
 * new report with numbered operative paragraphs and italic lead words. An expert has no Import.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { E2E_TIMEOUT, openAs, startBrowserTest } from './people.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/import/A-C.1-70-L.45.txt', import.meta.url));

test('the chair imports a text through the preview; an expert has no import', {
  timeout: 180_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const { page } = await openAs(browser, `${server.baseUrl}/#/`, {
    name: server.chair.displayName,
    cookie: server.chair.cookie,
  });
  const form = page.getByTestId('import-form');
  await form.waitFor({ timeout: E2E_TIMEOUT });
  await page.getByTestId('import-file').setInputFiles(FIXTURE);
  await page.getByTestId('import-preview-button').click();
  const preview = page.getByTestId('import-preview');
  await preview.waitFor({ timeout: E2E_TIMEOUT });
  const counts = (await page.getByTestId('import-counts').textContent()) ?? '';
  assert.match(counts, /16 preambular paragraphs/);
  assert.match(counts, /6 operative paragraphs/);
  assert.match(counts, /6 sub-paragraphs/);
  assert.match(counts, /5 footnotes/);
  const labels = await page
    .getByTestId('import-block')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));
  assert.deepEqual(labels.filter(Boolean).slice(0, 4), ['1.', '2.', '(a)', '(b)']);
  assert.match((await page.getByTestId('import-notes').textContent()) ?? '', /Joined/);
  // Nothing exists before the user confirms.
  assert.equal((await server.app.storage.listReports()).length, 0);

  await page.getByTestId('import-title').fill('L.45 imported');
  await page.getByTestId('import-create').click();
  await page.waitForURL(/#\/r\//, { timeout: E2E_TIMEOUT });
  const editor = page.locator('.ProseMirror');
  await editor.getByText('Calls upon').first().waitFor({ timeout: E2E_TIMEOUT });
  const italic = await editor.locator('em').first().textContent();
  assert.equal(italic, 'Recalling');
  const reports = await server.app.storage.listReports();
  assert.deepEqual(
    reports.map((r) => r.title),
    ['L.45 imported'],
  );

  const expert = await server.addUser('expert', 'Brazil', 'Ana');
  const e = await openAs(browser, `${server.baseUrl}/#/`, { name: 'Ana', cookie: expert.cookie });
  await e.page.getByTestId('group').first().waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await e.page.getByTestId('import-form').count(), 0);
});
