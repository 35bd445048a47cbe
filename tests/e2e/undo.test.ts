/**
 * Ctrl-Z undoes what the user did, including edits that make the paragraph-id plugin repair ids
 * (a split gives the second half a fresh id in an appended transaction): the repair must ride in
 * the same undo step, or y-prosemirror leaves the split out of the history.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { E2E_TIMEOUT, openAs, startBrowserTest } from './people.js';

/** Waits until `read` gives `want`; fails with the last value. */
async function until<T>(read: () => Promise<T>, want: T): Promise<void> {
  const deadline = Date.now() + E2E_TIMEOUT;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(want)) {
    if (Date.now() > deadline) {
      assert.fail(`waited for ${JSON.stringify(want)}, last ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await read();
  }
}

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
  const paras = page.locator('.ProseMirror .para');
  const ids = () => paras.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
  const first = () => paras.first().evaluate((e) => e.textContent);

  await paras.first().click();
  await page.keyboard.type('States should cooperate');
  await until(first, 'States should cooperate');
  const before = await ids();
  // A pause ends the typing's undo group, as it does for a person.
  await page.waitForTimeout(700);
  await page.keyboard.press('Enter');
  await until(async () => (await ids()).length, before.length + 1);
  const split = await ids();
  assert.equal(split[0], before[0], 'the first half keeps the id');
  assert.ok(split[1] && !before.includes(split[1]), 'the new paragraph has a fresh id');

  await page.keyboard.press('Control+z');
  await until(ids, before);
  assert.equal(await first(), 'States should cooperate', 'the typing is still there');

  await page.keyboard.press('Control+Shift+z');
  await until(async () => (await ids()).length, before.length + 1);
  assert.equal((await ids())[0], before[0]);
});
