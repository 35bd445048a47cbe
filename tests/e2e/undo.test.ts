/**
 * Ctrl-Z undoes what the user did, including edits that make the paragraph-id plugin repair ids
 * (a split gives the second half a fresh id in an appended transaction): the repair must ride in
 * the same undo step, or y-prosemirror leaves the split out of the history.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../helpers/server.js';
import { E2E_TIMEOUT, openAs, startBrowserTest } from './people.js';

test('Enter then Ctrl-Z: the split is undone, ids and all; Ctrl-Shift-Z splits again', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Undo', 'gge-report');
  const expert = await server.addUser('expert', 'State A', 'Expert A');
  const { page } = await openAs(browser, `${server.baseUrl}/#/r/${report.id}`, {
    name: 'Expert A',
    cookie: expert.cookie,
  });
  const paras = page.locator('.ProseMirror .chapter .para');
  const ids = () => paras.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
  const first = () => paras.first().evaluate((e) => e.textContent);

  await paras.first().click();
  await page.keyboard.type('States should cooperate');
  await waitFor(
    async () => (await first()) === 'States should cooperate',
    'the typing',
    E2E_TIMEOUT,
  );
  const before = await ids();
  // A pause ends the typing's undo group, as it does for a person.
  await page.waitForTimeout(700);
  await page.keyboard.press('Enter');
  await waitFor(async () => (await ids()).length === before.length + 1, 'the split', E2E_TIMEOUT);
  const split = await ids();
  assert.equal(split[0], before[0], 'the first half keeps the id');
  assert.ok(split[1] && !before.includes(split[1]), 'the new paragraph has a fresh id');

  await page.keyboard.press('Control+z');
  await waitFor(
    async () => JSON.stringify(await ids()) === JSON.stringify(before),
    'the split undone',
    E2E_TIMEOUT,
  );
  assert.equal(await first(), 'States should cooperate', 'the typing is still there');

  await page.keyboard.press('Control+Shift+z');
  await waitFor(async () => (await ids()).length === before.length + 1, 'the redo', E2E_TIMEOUT);
  assert.equal((await ids())[0], before[0]);
});
