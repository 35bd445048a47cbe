/**
 * Two people edit one report in two browsers: each sees the other's text and named caret, both
 * reach "Saved", and a reload brings back everything. Runs against the real server (in-process,
 * port 0) serving the built client from dist/client.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/coediting.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  openAs,
  para,
  paragraphTexts,
  pollPage,
  startBrowserTest,
  E2E_TIMEOUT as TIMEOUT,
  waitForCaretLabel,
  waitForParagraph,
  waitForText,
} from './people.js';

test('two people co-edit a report and everything survives a reload', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  // Created over HTTP (POST /api/reports) by the group's chair; two experts edit it.
  const report = await server.createReport('Zero draft: e2e', 'gge-report');
  const expertA = await server.addUser('expert', 'State A', 'Expert A');
  const expertB = await server.addUser('expert', 'State B', 'Expert B');
  const url = `${server.baseUrl}/#/r/${report.id}`;

  // A logs in through the login form (the report's address first sends them there, then back);
  // B's browser already has a session cookie.
  const a = await openAs(browser, url, {
    name: 'Expert A',
    login: { email: expertA.email, password: expertA.password },
  });
  const b = await openAs(browser, url, { name: 'Expert B', cookie: expertB.cookie });
  // The header shows each one's role and State in the report's group.
  await waitForText(a.page, '[data-testid=account-role]', 'Expert · State A');
  await waitForText(b.page, '[data-testid=account-role]', 'Expert · State B');

  // The report looks like a GGE report: Roman chapter numerals and numbered paragraphs.
  const headings = a.page.locator('.ProseMirror .chapter-heading');
  assert.equal(await headings.count(), 7);
  assert.equal(await headings.first().getAttribute('data-num'), 'I.');
  assert.equal(await headings.nth(2).getAttribute('data-num'), 'III.');
  assert.equal(
    await a.page.locator('.ProseMirror .chapter .para').nth(1).getAttribute('data-num'),
    '2.',
  );

  // A types in paragraph 1 (chapter I), B in paragraph 3 (chapter III).
  const textA = 'The Group recalls the mandate given by resolution 70/237.';
  const textB = 'States should not conduct or knowingly support ICT activity contrary to law.';
  await a.page.locator(para(0)).click();
  await a.page.keyboard.type(textA);
  await b.page.locator(para(2)).click();
  await b.page.keyboard.type(textB);

  // Each sees the other's text.
  await waitForParagraph(a.page, 2, textB);
  await waitForParagraph(b.page, 0, textA);
  // And their own text is intact.
  assert.equal((await paragraphTexts(a.page))[0], textA);
  assert.equal((await paragraphTexts(b.page))[2], textB);

  // Each sees the other's caret, with the other's name and State.
  await waitForCaretLabel(a.page, 'Expert B · State B');
  await waitForCaretLabel(b.page, 'Expert A · State A');
  // And the presence bar lists both, with role and State.
  await waitForText(a.page, '[data-testid=presence] .presence-name', 'Expert B');
  await waitForText(b.page, '[data-testid=presence] .presence-name', 'Expert A');
  await waitForText(a.page, '[data-testid=presence] .presence-role', 'Expert · State B');
  await waitForText(b.page, '[data-testid=presence] .presence-role', 'Expert · State A');
  // Nobody here is read-only.
  assert.equal(await a.page.getByTestId('read-only').isVisible(), false);

  // Both reach "Saved" (the server confirmed their changes).
  await waitForText(a.page, '[data-testid=save-state]', 'Saved');
  await waitForText(b.page, '[data-testid=save-state]', 'Saved');

  // Reload A: both texts come back from the server.
  await a.page.reload();
  await a.page.locator('.ProseMirror .chapter .para').first().waitFor({ timeout: TIMEOUT });
  await waitForParagraph(a.page, 0, textA);
  await waitForParagraph(a.page, 2, textB);
  // Still logged in after the reload (the session cookie), with the same name in the header.
  await waitForText(a.page, '[data-testid=account-name]', 'Expert A');
  await waitForText(a.page, '[data-testid=save-state]', 'Saved');
  // B sees A once (the reloaded page left the room instead of lingering until a timeout).
  await pollPage(
    b.page,
    `[...document.querySelectorAll('[data-testid=presence] .presence-name')].map((e) => e.textContent)`,
    (names) => (names as string[]).filter((n) => n === 'Expert A').length === 1,
    'page B to list Expert A once',
  );

  a.problems.assertNone('page A');
  b.problems.assertNone('page B');
  await a.context.close();
  await b.context.close();
});

test('text typed offline reaches the others when the connection returns', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Offline drafting', 'gge-report');
  const expertA = await server.addUser('expert', 'State A', 'Expert A');
  const expertB = await server.addUser('expert', 'State B', 'Expert B');
  const url = `${server.baseUrl}/#/r/${report.id}`;
  const a = await openAs(browser, url, { name: 'Expert A', cookie: expertA.cookie });
  const b = await openAs(browser, url, { name: 'Expert B', cookie: expertB.cookie });

  await a.page.locator('.ProseMirror .chapter .para >> nth=0').click();
  await a.page.keyboard.type('Online. ');
  await waitForParagraph(b.page, 0, 'Online. ');
  await waitForText(a.page, '[data-testid=save-state]', 'Saved');

  await a.context.setOffline(true);
  await waitForText(a.page, '[data-testid=save-state]', 'Offline');
  await a.page.getByTestId('connection-banner').waitFor({ timeout: TIMEOUT });
  await a.page.keyboard.type('Typed on the train.');
  assert.equal((await paragraphTexts(a.page))[0], 'Online. Typed on the train.');
  assert.equal((await paragraphTexts(b.page))[0], 'Online. ');

  await a.context.setOffline(false);
  await waitForParagraph(b.page, 0, 'Online. Typed on the train.');
  await waitForText(a.page, '[data-testid=save-state]', 'Saved');
  await pollPage(
    a.page,
    `document.querySelector('[data-testid=connection-banner]') === null`,
    (gone) => gone === true,
    'the connection banner to go once synced',
  );

  // The browser reports the refused reconnection attempts while offline; nothing else.
  const unexpected = a.problems.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e));
  assert.deepEqual(unexpected, []);
  b.problems.assertNone('page B');
});
