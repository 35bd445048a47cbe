/**
 * Accessibility (issue 21, WCAG 2.1 AA): axe-core finds no serious or critical violation on any
 * page and state (login, home, a report with its paragraph card, threads, the inbox and the "+N"
 * list open, the board, the matrix, the members page, the revisions: list, one revision, a
 * comparison), and the keyboard leaves the text with
 * Escape then Tab, announced.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/accessibility.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAccessible } from '../helpers/axe.js';
import { openThread, paragraphIds, reply } from '../helpers/comments.js';
import { recordPosition, setStatus, startSilence } from '../helpers/consensus.js';
import {
  E2E_TIMEOUT,
  newPerson,
  openAs,
  para,
  pollPage,
  startBrowserTest,
  VIEWPORT,
  waitForText,
} from './people.js';

test('every page and state passes axe (no serious or critical violation)', {
  timeout: 240_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t, { config: { silenceMinMs: 1_000 } });
  const report = await server.createReport(
    'Report of the Group of Governmental Experts',
    'gge-report',
  );
  const ids = await paragraphIds(server, report.id);
  const brazil = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const kenya = await server.addUser('expert', 'Kenya', 'Wanjiru Kamau');
  await setStatus(server, report.id, ids[0]!, 'under_discussion');
  await setStatus(server, report.id, ids[1]!, 'agreed');
  await recordPosition(server, report.id, ids[0]!, brazil, 'can_accept');
  await recordPosition(server, report.id, ids[0]!, kenya, 'cannot_accept', 'Kenya needs "should".');
  await startSilence(server, report.id, [ids[2]!], 3_600_000);
  const thread = await openThread(server, kenya, report.id, {
    paragraphId: ids[0]!,
    body: '@Ana Souza can Brazil accept "should" here?',
    mentions: [brazil.id],
  });
  await reply(server, brazil, thread.id, 'Brazil can accept it.');

  // Logged out: the login page.
  const visitor = await newPerson(browser, { viewport: VIEWPORT });
  await visitor.page.goto(`${server.baseUrl}/#/login`);
  await visitor.page.getByTestId('login-form').waitFor({ timeout: E2E_TIMEOUT });
  await assertAccessible(visitor.page, 'login');

  // Home, as the expert who was mentioned.
  const ana = await openAs(browser, `${server.baseUrl}/#/`, {
    name: 'Ana Souza',
    cookie: brazil.cookie,
    viewport: VIEWPORT,
  });
  await ana.page.getByText('Report of the Group of Governmental Experts').first().waitFor();
  await assertAccessible(ana.page, 'home');

  // The report: text, margin, card, threads; then the inbox open.
  await ana.page.goto(`${server.baseUrl}/#/r/${report.id}`);
  await ana.page.locator('.ProseMirror .para').first().waitFor({ timeout: E2E_TIMEOUT });
  await ana.page.locator(para(0)).click();
  await ana.page.getByTestId('thread').first().waitFor({ timeout: E2E_TIMEOUT });
  await waitForText(ana.page, '[data-testid=consensus-paragraph]', /^Paragraph /);
  await assertAccessible(ana.page, 'report, paragraph card and threads');
  await ana.page.getByTestId('inbox-count').click();
  await ana.page.getByTestId('inbox-panel').waitFor({ state: 'visible' });
  await assertAccessible(ana.page, 'report, inbox open');
  await ana.page.keyboard.press('Escape');

  // A comment over 10,000 characters: the form says so (nothing cut) and does not send it.
  await ana.page.getByTestId('new-thread').click();
  const body = ana.page.getByTestId('thread-body');
  await body.fill('x'.repeat(10_050));
  assert.equal((await body.inputValue()).length, 10_050, 'the text was cut');
  await waitForText(ana.page, '[data-testid=length-note]', /remove 50\. Nothing has been cut\./);
  await assertAccessible(ana.page, 'report, new comment form over the limit');
  await ana.page.getByTestId('thread-submit').click();
  await waitForText(ana.page, '[data-testid=thread-form] .comment-error', /Shorten the text/);
  await ana.page.keyboard.press('Escape');

  // Chair: the report (status form, silence form), the board, the matrix, the members.
  const chair = await openAs(browser, `${server.baseUrl}/#/r/${report.id}`, {
    name: server.chair.displayName,
    cookie: server.chair.cookie,
    viewport: VIEWPORT,
  });
  await chair.page.locator(para(0)).click();
  await waitForText(chair.page, '[data-testid=consensus-paragraph]', /^Paragraph /);
  await assertAccessible(chair.page, 'report as chair');
  await chair.page.goto(`${server.baseUrl}/#/r/${report.id}/board`);
  await chair.page.getByTestId('board').waitFor({ timeout: E2E_TIMEOUT });
  await assertAccessible(chair.page, 'board');
  await chair.page.goto(`${server.baseUrl}/#/r/${report.id}/matrix`);
  await chair.page.getByTestId('matrix-page').waitFor({ timeout: E2E_TIMEOUT });
  await assertAccessible(chair.page, 'matrix');
  await chair.page.goto(`${server.baseUrl}/#/g/${server.groupId}`);
  await chair.page.getByTestId('members').waitFor({ timeout: E2E_TIMEOUT });
  await assertAccessible(chair.page, 'members');
  // The revisions: the list with the issue form, one revision read-only, compared with now.
  const issued = await server.request('POST', `/api/reports/${report.id}/revisions`, { body: {} });
  assert.equal(issued.status, 201, await issued.clone().text());
  const revision = ((await issued.json()) as { revision: { id: string } }).revision;
  await chair.page.goto(`${server.baseUrl}/#/r/${report.id}/revisions`);
  await chair.page.getByTestId('revision-item').first().waitFor({ timeout: E2E_TIMEOUT });
  await assertAccessible(chair.page, 'revisions');
  await chair.page.goto(`${server.baseUrl}/#/r/${report.id}/revisions/${revision.id}`);
  await chair.page.getByTestId('revision-document').waitFor({ timeout: E2E_TIMEOUT });
  await assertAccessible(chair.page, 'a revision, read-only');
  await chair.page.goto(`${server.baseUrl}/#/r/${report.id}/compare/${revision.id}/live`);
  await chair.page.getByTestId('compare-view').waitFor({ timeout: E2E_TIMEOUT });
  await assertAccessible(chair.page, 'a revision compared with the text now');

  for (const p of [ana, chair]) p.problems.assertNone();
  // No 401 for /api/me logged in the console of a logged-out page (GET /api/session).
  visitor.problems.assertNone('login', { allowHttp: [] });
});

test('Escape then Tab leaves the text (announced); Tab alone still indents', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Keyboard', 'gge-report');
  const expert = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const { page, problems } = await openAs(browser, `${server.baseUrl}/#/r/${report.id}`, {
    name: 'Ana Souza',
    cookie: expert.cookie,
    viewport: VIEWPORT,
  });
  const inText = `document.activeElement?.classList.contains('ProseMirror') === true`;
  await page.locator(para(1)).click();
  const level = () => page.locator(para(1)).getAttribute('data-level');
  const before = await level();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(inText), true, 'Tab alone left the text');
  await pollPage(
    page,
    `document.querySelectorAll('.ProseMirror .chapter .para')[1].dataset.level`,
    (l) => l !== before,
    'Tab to indent',
  );
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Escape');
  await waitForText(page, '[data-testid=announcer]', /Tab now leaves the report text/);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(inText), false, 'Escape then Tab stayed in the text');
  assert.equal(await level(), before, 'Escape then Tab changed the level');
  // Shift-Tab back into the text, then Escape, Shift-Tab leaves it backwards.
  await page.locator(para(1)).click();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(inText), false, 'Escape then Shift-Tab stayed in the text');
  assert.match(String(await page.getByTestId('editor-help').textContent()), /Escape, then Tab/);

  // Moving by number: "Go to paragraph 3" puts the cursor there and the card shows it.
  await page.getByTestId('goto-input').fill('3');
  await page.keyboard.press('Enter');
  await waitForText(page, '[data-testid=consensus-paragraph]', 'Paragraph 3');
  assert.equal(await page.evaluate(inText), true, 'the text has the focus');
  await page.getByTestId('goto-input').fill('999');
  await page.keyboard.press('Enter');
  await waitForText(page, '[data-testid=goto-paragraph] [role=alert]', 'No paragraph 999.');
  problems.assertNone();
});

test('a screen reader hears what others lock: a paragraph agreed, a silence started and broken', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Announcements', 'gge-report');
  const ids = await paragraphIds(server, report.id);
  const brazil = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const kenya = await server.addUser('expert', 'Kenya', 'Wanjiru Kamau');
  const { page, problems } = await openAs(browser, `${server.baseUrl}/#/r/${report.id}`, {
    name: 'Ana Souza',
    cookie: brazil.cookie,
    viewport: VIEWPORT,
  });
  // Once the page shows a status set after it opened, its store is loaded: later changes arrive
  // as events (a change before the load is part of what it read, and nothing to announce).
  await setStatus(server, report.id, ids[2]!, 'under_discussion');
  await page
    .locator(
      `[data-testid=para-status][data-paragraph-id="${ids[2]}"][data-status=under_discussion]`,
    )
    .waitFor({ timeout: E2E_TIMEOUT });
  const announcer = '[data-testid=announcer]';
  await setStatus(server, report.id, ids[3]!, 'agreed');
  await waitForText(page, announcer, /^Paragraph \S+ is now agreed by .+; its text is locked\.$/);
  const silence = await startSilence(server, report.id, [ids[4]!, ids[5]!], 3_600_000);
  await waitForText(
    page,
    announcer,
    /^Silence procedure started on paragraphs \S+, \S+ by .+; the text is locked\.$/,
  );
  const res = await server.request('POST', `/api/silences/${silence.id}/break`, {
    as: kenya,
    body: { statement: 'Kenya cannot join consensus yet.' },
  });
  assert.equal(res.status, 200);
  await waitForText(
    page,
    announcer,
    /^Silence broken on paragraphs .+ by Wanjiru Kamau \(Kenya\); the text is open again\.$/,
  );
  problems.assertNone();
});
