/**
 * Revisions in Chromium (issue #16): the chair types, issues the Zero draft from the revisions
 * page and keeps its numbers; a paragraph another member inserts after paragraph 1 shows "1 bis"
 * in the editor; the chair issues Rev.1 (plain numbers again). Anyone opens the Zero draft read
 * only (its text then, no editor, no later paragraph) and compares it with Rev.1: the inserted
 * paragraph, the renumbered one and the changed words are named, and the comparison offers the
 * Word track-changes download.
 *
 *   npm run build:client && node tests/run.mjs tests/e2e/revisions.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Y from 'yjs';
import { chapters, newParagraph, paragraphText, serverDoc } from '../helpers/clients.js';
import { waitFor } from '../helpers/server.js';
import { E2E_TIMEOUT, openAs, startBrowserTest } from './people.js';

test('issue, bis numbering, open a revision read-only, compare two', {
  timeout: 240_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Revised report', 'gge-report');
  const { page } = await openAs(browser, `${server.baseUrl}/#/r/${report.id}`, {
    name: server.chair.displayName,
    cookie: server.chair.cookie,
  });
  const doc = await serverDoc(server, report.id);
  const bodyParagraph = (i: number) =>
    chapters(doc)
      .flatMap((c) =>
        c
          .toArray()
          .filter(
            (n): n is Y.XmlElement => n instanceof Y.XmlElement && n.nodeName === 'paragraph',
          ),
      )
      .at(i)!;
  const firstId = String(bodyParagraph(0).getAttribute('id'));
  const secondId = String(bodyParagraph(1).getAttribute('id'));

  // The chair types into chapter I's paragraph 1; the server has it.
  const editorPara = page.locator('.ProseMirror section.chapter .para').first();
  await editorPara.click();
  await page.keyboard.type('States should cooperate in good faith.');
  await waitFor(
    () => paragraphText(bodyParagraph(0)).toString().includes('good faith.'),
    'the typed text on the server',
    E2E_TIMEOUT,
  );

  // The revisions page: issue the proposed Zero draft, keep its numbers.
  await page.getByTestId('revisions-link').click();
  await page.getByTestId('issue-form').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await page.getByTestId('revision-label').inputValue(), 'Zero draft');
  await page.getByTestId('revision-note').fill('For the first reading.');
  await page.getByTestId('revision-issue').click();
  await page
    .locator('[data-testid=revision-item][data-label="Zero draft"]')
    .waitFor({ timeout: E2E_TIMEOUT });
  await page.getByTestId('keep-numbers').check();
  await waitFor(
    async () => (await server.app.storage.getKeepNumbers(report.id)) === true,
    'the bis/ter switch stored',
    E2E_TIMEOUT,
  );

  // Another member's edits (through the server's document): a paragraph after 1, words changed.
  doc.transact(() => {
    const chapter = chapters(doc)[0]!;
    const at = chapter
      .toArray()
      .findIndex((n) => (n as Y.XmlElement).getAttribute?.('id') === firstId);
    chapter.insert(at + 1, [newParagraph('e2einserted01', 'A paragraph the Group added.')]);
    const text = paragraphText(bodyParagraph(0));
    text.delete(text.toString().indexOf('should'), 'should'.length);
    text.insert(text.toString().indexOf('  ') + 1, 'shall');
  });

  // Back in the report: the inserted paragraph is "1 bis", the next keeps 2.
  await page.goto(`${server.baseUrl}/#/r/${report.id}`);
  await page.locator('.ProseMirror [data-num^="1 bis"]').waitFor({ timeout: E2E_TIMEOUT });
  const labels = await page
    .locator('.ProseMirror section.chapter .para')
    .evaluateAll((els) => els.slice(0, 3).map((e) => e.getAttribute('data-num')));
  assert.deepEqual(
    labels.map((l) => l?.replace(/\.$/, '')),
    ['1', '1 bis', '2'],
  );

  // Rev.1 renumbers cleanly.
  await page.getByTestId('revisions-link').click();
  await page.getByTestId('revision-label').fill('Rev.1');
  await page.getByTestId('revision-issue').click();
  await page
    .locator('[data-testid=revision-item][data-label="Rev.1"]')
    .waitFor({ timeout: E2E_TIMEOUT });

  // The Zero draft, read only: its text then, no editor, not the later paragraph.
  await page
    .locator('[data-testid=revision-item][data-label="Zero draft"] [data-testid=revision-open]')
    .click();
  const banner = page.getByTestId('revision-banner');
  await banner.waitFor({ timeout: E2E_TIMEOUT });
  assert.match((await banner.textContent()) ?? '', /^Zero draft, .*Read only\.$/);
  const node = (id: string) => page.locator(`[data-testid=revision-node][data-id="${id}"]`);
  assert.match(
    (await node(firstId).textContent()) ?? '',
    /States should cooperate in good faith\./,
  );
  assert.equal(await node(firstId).getAttribute('data-citation'), '1');
  assert.equal(await node('e2einserted01').count(), 0);
  assert.equal(await page.locator('.ProseMirror, [contenteditable=true]').count(), 0);
  assert.equal(
    await page.getByTestId('revision-export-docx').count(),
    1,
    'the revision can be downloaded',
  );

  // Compare the Zero draft with Rev.1.
  await page.getByTestId('back-to-revisions').click();
  const form = page.getByTestId('compare-form');
  await form.waitFor({ timeout: E2E_TIMEOUT });
  const ids = await page
    .locator('[data-testid=compare-from] option')
    .evaluateAll((os) => os.map((o) => [o.textContent, (o as HTMLOptionElement).value]));
  const idOf = (label: string) => ids.find(([l]) => l === label)![1]!;
  await page.getByTestId('compare-from').selectOption(idOf('Zero draft'));
  await page.getByTestId('compare-to').selectOption(idOf('Rev.1'));
  await page.getByTestId('compare-go').click();
  const row = (id: string) => page.locator(`[data-testid=compare-row][data-id="${id}"]`);
  await row('e2einserted01').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await row('e2einserted01').getAttribute('data-changes'), 'inserted');
  assert.equal(await row('e2einserted01').getByTestId('compare-after').textContent(), '2');
  assert.equal(await row(secondId).getAttribute('data-changes'), 'renumbered');
  assert.equal(await row(secondId).getByTestId('compare-before').textContent(), '2');
  assert.equal(await row(secondId).getByTestId('compare-after').textContent(), '3');
  assert.equal(await row(firstId).getAttribute('data-changes'), 'text');
  assert.equal(await row(firstId).locator('del').first().textContent(), 'should');
  assert.equal(await row(firstId).locator('ins').first().textContent(), 'shall');
  const track = page.getByTestId('compare-export-track');
  assert.match(
    (await track.getAttribute('href')) ?? '',
    new RegExp(`/api/reports/${report.id}/export/changes\\?from=v_[^&]+&to=v_`),
  );
});
