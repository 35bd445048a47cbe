/**
 * Consensus in the browser: the chair marks paragraph 13 agreed; the expert's page shows it
 * locked (typing in it changes nothing, here or on the server) and the board, open in another
 * page, updates live. An expert records "cannot accept" and the chair's matrix shows it (the
 * other State blank). Brackets are highlighted (an unbalanced one flagged), the paragraph reads
 * as bracketed text, and the chair's attempt to set it agreed is refused with a visible message.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/consensus.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { LOCKED_EDIT_NOTICE } from '../../shared/consensus.js';
import { watchPage } from '../helpers/browser.js';
import {
  E2E_TIMEOUT,
  openAs,
  para,
  paragraphTexts,
  pollPage,
  serverParagraphs,
  startBrowserTest,
  VIEWPORT,
  waitForParagraph,
  waitForText,
} from './people.js';

/** Paragraph 13 (0-based index in chapter I). */
const AGREED = 12;
/** Paragraph 14: bracketed text. */
const BRACKETED = 13;
/** Paragraph 15: an unbalanced bracket. */
const UNBALANCED = 14;

const TEXTS = Array.from({ length: 15 }, (_, i) => {
  if (i === AGREED)
    return 'States should not conduct or knowingly support ICT activity contrary to their obligations.';
  if (i === BRACKETED)
    return 'States should [consider] cooperating [to exchange information [on threats]].';
  if (i === UNBALANCED) return 'States [should respond to requests for assistance.';
  return `The Group recalls paragraph ${i + 1} of its mandate.`;
});

/** A paragraph's margin status, as the page shows it. */
async function statusOf(page: Page, index: number): Promise<string | null> {
  return page.locator(para(index)).locator('[data-testid=para-status]').getAttribute('data-status');
}

async function waitForStatus(page: Page, index: number, status: string): Promise<void> {
  await page
    .locator(para(index))
    .locator(`[data-testid=para-status][data-status="${status}"]`)
    .waitFor({ timeout: E2E_TIMEOUT });
}

test('statuses, locks, the live board, positions in the matrix, brackets refused', {
  timeout: 240_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: consensus', 'gge-report');
  const brazil = await server.addUser('expert', 'Brazil', 'Ana Souza');
  await server.addUser('expert', 'Kenya', 'Wanjiru Kamau');
  const url = `${server.baseUrl}/#/r/${report.id}`;

  // The chair drafts fifteen paragraphs in chapter I.
  const C = await openAs(browser, url, {
    name: 'The Chair',
    cookie: server.chair.cookie,
    viewport: VIEWPORT,
  });
  await C.page.locator(para(0)).click();
  for (let i = 0; i < TEXTS.length; i++) {
    if (i > 0) await C.page.keyboard.press('Enter');
    await C.page.keyboard.type(TEXTS[i]!);
  }
  await waitForParagraph(C.page, UNBALANCED, TEXTS[UNBALANCED]!);
  await waitForText(C.page, '[data-testid=save-state]', 'Saved');
  assert.equal(await C.page.locator(para(AGREED)).getAttribute('data-cite'), '13');

  // Brackets: highlighted live, nested pairs and an unbalanced one flagged; read as bracketed.
  assert.equal(await C.page.locator(para(BRACKETED)).locator('[data-testid=bracket]').count(), 6);
  const unbalanced = C.page.locator(para(UNBALANCED)).locator('[data-testid=bracket-unbalanced]');
  await unbalanced.waitFor({ timeout: E2E_TIMEOUT });
  assert.match((await unbalanced.getAttribute('title')) ?? '', /Unbalanced/);
  await waitForStatus(C.page, BRACKETED, 'bracketed');
  assert.equal(await statusOf(C.page, AGREED), 'draft');
  assert.equal(
    (await paragraphTexts(C.page))[AGREED],
    TEXTS[AGREED],
    'the margin label adds no text to the paragraph',
  );

  // The expert's editor, and the board in another page.
  const A = await openAs(browser, url, {
    name: 'Ana Souza',
    cookie: brazil.cookie,
    viewport: VIEWPORT,
  });
  await waitForParagraph(A.page, UNBALANCED, TEXTS[UNBALANCED]!);
  const board = await A.context.newPage();
  const boardProblems = watchPage(board);
  await board.goto(`${url}/board`);
  await board.getByTestId('board').waitFor({ timeout: E2E_TIMEOUT });
  const pid = await A.page.locator(para(AGREED)).getAttribute('data-id');
  assert.ok(pid, 'paragraph 13 has an id');
  const openRow = board.locator(`[data-testid=open-paragraph][data-paragraph-id="${pid}"]`);
  await openRow.waitFor({ timeout: E2E_TIMEOUT });
  await waitForText(board, '[data-testid=share-agreed]', '0 %');

  // The chair marks paragraph 13 agreed from its card.
  await C.page.locator(para(AGREED)).click();
  await waitForText(C.page, '[data-testid=consensus-paragraph]', 'Paragraph 13');
  await C.page.getByTestId('status-select').selectOption('agreed');
  await C.page.getByTestId('status-submit').click();
  await waitForStatus(C.page, AGREED, 'agreed');
  // Its history is one click away; "Open paragraphs only" hides it.
  await C.page.getByTestId('history-toggle').click();
  await waitForText(
    C.page,
    '[data-testid=history-entry]',
    /^Draft → Agreed by The Chair · Chair, /,
  );
  await C.page.getByTestId('open-only').check();
  await C.page.locator(para(AGREED)).waitFor({ state: 'hidden', timeout: E2E_TIMEOUT });
  assert.ok(await C.page.locator(para(AGREED - 1)).isVisible());
  await C.page.getByTestId('open-only').uncheck();
  await C.page.locator(para(AGREED)).waitFor({ state: 'visible', timeout: E2E_TIMEOUT });

  // The expert's page shows it agreed and locked, live.
  await waitForStatus(A.page, AGREED, 'agreed');
  assert.equal(await A.page.locator(para(AGREED)).getAttribute('data-locked'), 'true');
  // Typing in it changes nothing, here or on the server; the page says why.
  await A.page.locator(para(AGREED)).click();
  await waitForText(A.page, '[data-testid=consensus-paragraph]', 'Paragraph 13');
  await waitForText(A.page, '[data-testid=consensus-locked]', /locked/);
  await A.page.keyboard.press('End');
  await A.page.keyboard.type(' Not agreed!');
  await A.page.keyboard.press('Backspace');
  await A.page.getByTestId('lock-notice').waitFor({ timeout: E2E_TIMEOUT });
  await waitForText(A.page, '[data-testid=lock-notice]', /Paragraph 13 is agreed and locked/);
  assert.equal((await paragraphTexts(A.page))[AGREED], TEXTS[AGREED]);
  // A new paragraph between locked text and the next one is fine.
  await A.page.keyboard.press('Enter');
  await A.page.keyboard.type('A new paragraph after agreed text.');
  await waitForParagraph(A.page, AGREED + 1, 'A new paragraph after agreed text.');
  await waitForText(A.page, '[data-testid=save-state]', 'Saved');
  const stored = await serverParagraphs(server, report.id);
  assert.equal(stored[AGREED], TEXTS[AGREED], 'the server kept the agreed text');
  assert.equal(stored[AGREED + 1], 'A new paragraph after agreed text.');
  await waitForParagraph(C.page, AGREED + 1, 'A new paragraph after agreed text.');

  // The board updated without a reload: 13 is no longer open, one paragraph is agreed.
  await openRow.waitFor({ state: 'detached', timeout: E2E_TIMEOUT });
  await waitForText(board, '[data-testid=share-agreed]', /^[1-9]\d* %$/);
  await waitForText(
    board,
    '[data-testid=chapter-row][data-numeral="I"] [data-testid=count-agreed]',
    '1',
  );

  // The bracketed paragraph is now 15 (the new one is 14). Brazil cannot accept it.
  const bracketed = BRACKETED + 1;
  const bracketedId = await A.page.locator(para(bracketed)).getAttribute('data-id');
  assert.ok(bracketedId);
  await A.page.locator(para(bracketed)).click();
  await waitForText(A.page, '[data-testid=consensus-paragraph]', 'Paragraph 15');
  await A.page.getByTestId('position-select').selectOption('cannot_accept');
  await A.page.getByTestId('position-explanation').fill('Capital objects to the reference.');
  await A.page.getByTestId('position-submit').click();
  await waitForText(A.page, '[data-testid=position-entry][data-state=Brazil]', /Cannot accept/);

  // The chair's matrix shows it, Kenya blank, and the paragraph not ripe.
  const M = await C.context.newPage();
  const matrixProblems = watchPage(M);
  await M.goto(`${url}/matrix`);
  const row = M.locator(`[data-testid=matrix-row][data-paragraph-id="${bracketedId}"]`);
  await row.waitFor({ timeout: E2E_TIMEOUT });
  await row
    .locator('[data-testid=matrix-cell][data-state=Brazil][data-position=cannot_accept]')
    .waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await row.locator('[data-testid=matrix-cell][data-state=Kenya]').textContent(), '');
  assert.equal(await row.getByTestId('matrix-ripe').getAttribute('data-ripe'), 'false');
  // The board names Brazil as holding it.
  await waitForText(
    board,
    `[data-testid=open-paragraph][data-paragraph-id="${bracketedId}"] [data-testid=holding-states]`,
    'Brazil',
  );

  // The chair tries to declare the bracketed paragraph agreed: refused, visibly.
  await C.page.locator(para(bracketed)).click();
  await waitForText(C.page, '[data-testid=consensus-paragraph]', 'Paragraph 15');
  await C.page.getByTestId('status-select').selectOption('agreed');
  await C.page.getByTestId('status-submit').click();
  await waitForText(C.page, '[data-testid=status-error]', /square brackets/);
  assert.equal(await statusOf(C.page, bracketed), 'bracketed');

  // Reopening agreed text needs a reason; then it is open and editable again for everyone.
  await C.page.locator(para(AGREED)).click();
  await waitForText(C.page, '[data-testid=consensus-paragraph]', 'Paragraph 13');
  await C.page.getByTestId('status-select').selectOption('under_discussion');
  await C.page.getByTestId('status-submit').click();
  await waitForText(C.page, '[data-testid=status-error]', /needs a reason/);
  await C.page.getByTestId('status-note').fill('Brazil asked to reopen the reference.');
  await C.page.getByTestId('status-submit').click();
  await waitForStatus(A.page, AGREED, 'under_discussion');
  assert.equal(await A.page.locator(para(AGREED)).getAttribute('data-locked'), null);

  // A click on the board opens the paragraph in the text.
  await board
    .locator(`[data-testid=open-paragraph][data-paragraph-id="${bracketedId}"]`)
    .getByTestId('open-paragraph-link')
    .click();
  await pollPage(
    board,
    'window.getSelection().toString()',
    (v) => v === TEXTS[BRACKETED],
    'the paragraph to be selected in the text',
  );

  for (const [label, person] of [
    ['chair', C.problems],
    ['expert', A.problems],
    ['board', boardProblems],
    ['matrix', matrixProblems],
  ] as const) {
    // The refusal is an HTTP 409 the browser logs: expected.
    person.assertNone(label, { allowHttp: [/^409 \/api\/reports\/.*\/status$/] });
  }
});

test('silence from the chair’s card: countdown and lock for the expert; broken with a statement, everyone is told', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: silence', 'gge-report');
  const kenya = await server.addUser('expert', 'Kenya', 'Wanjiru Kamau');
  const url = `${server.baseUrl}/#/r/${report.id}`;
  const text = 'The Group recommends that States cooperate to prevent harmful ICT practices.';

  const C = await openAs(browser, url, {
    name: 'The Chair',
    cookie: server.chair.cookie,
    viewport: VIEWPORT,
  });
  await C.page.locator(para(0)).click();
  await C.page.keyboard.type(text);
  await waitForText(C.page, '[data-testid=save-state]', 'Saved');
  const K = await openAs(browser, url, {
    name: 'Wanjiru Kamau',
    cookie: kenya.cookie,
    viewport: VIEWPORT,
  });
  await waitForParagraph(K.page, 0, text);
  // Kenya adds a word before the silence (an edit of its own that undo could take back).
  const kenyan = `${text} Kenya`;
  await K.page.locator(para(0)).click();
  await waitForText(K.page, '[data-testid=consensus-paragraph]', 'Paragraph 1');
  await K.page.keyboard.press('End');
  await K.page.keyboard.type(' Kenya');
  await waitForParagraph(C.page, 0, kenyan);
  await waitForText(K.page, '[data-testid=save-state]', 'Saved');

  // The chair puts paragraph 1 under silence until tomorrow, in their own zone.
  await C.page.locator(para(0)).click();
  await waitForText(C.page, '[data-testid=consensus-paragraph]', 'Paragraph 1');
  const d = new Date(Date.now() + 26 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  await C.page
    .getByTestId('silence-deadline-input')
    .fill(
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`,
    );
  await C.page.getByTestId('silence-start').click();
  await C.page.getByTestId('silence-item').waitFor({ timeout: E2E_TIMEOUT });
  // Nobody objects and the text has no brackets, yet the matrix does not call it ripe: it is
  // already under silence.
  const M = await C.context.newPage();
  await M.goto(`${url}/matrix`);
  const silencedId = await C.page.locator(para(0)).getAttribute('data-id');
  const ripeCell = M.locator(
    `[data-testid=matrix-row][data-paragraph-id="${silencedId}"] [data-testid=matrix-ripe]`,
  );
  await ripeCell.waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await ripeCell.getAttribute('data-ripe'), 'false');
  assert.match((await ripeCell.getAttribute('title')) ?? '', /Under silence/);
  await M.close();

  // The expert sees it running, with a live countdown, and the paragraph locked.
  const item = K.page.getByTestId('silence-item');
  await item.waitFor({ timeout: E2E_TIMEOUT });
  await waitForText(K.page, '[data-testid=silence-countdown]', /^1 d \d\d:\d\d:\d\d left$/);
  const first = await K.page.getByTestId('silence-countdown').textContent();
  await pollPage(
    K.page,
    `document.querySelector('[data-testid=silence-countdown]').textContent`,
    (v) => v !== first,
    'the countdown to tick',
  );
  assert.match((await K.page.getByTestId('silence-deadline').textContent()) ?? '', /your time/);
  assert.equal(await K.page.locator(para(0)).getAttribute('data-locked'), 'true');
  await K.page.locator(para(0)).click();
  await K.page.keyboard.type('xyz');
  await K.page.getByTestId('lock-notice').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal((await paragraphTexts(K.page))[0], kenyan);
  // Undo runs on the Y.Doc, not through the editor's filter: the step that would take Kenya's
  // word back out of the locked paragraph is refused before it runs, with the same message.
  await K.page.evaluate(`document.querySelector('[data-testid=lock-notice]').hidden = true`);
  await K.page.keyboard.press('Control+z');
  await K.page.getByTestId('lock-notice').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await K.page.getByTestId('lock-notice').getAttribute('title'), LOCKED_EDIT_NOTICE);
  await waitForText(K.page, '[data-testid=save-state]', 'Saved');
  assert.equal((await paragraphTexts(K.page))[0], kenyan);
  assert.equal((await paragraphTexts(C.page))[0], kenyan);
  assert.equal((await serverParagraphs(server, report.id))[0], kenyan);
  // Nothing reached the server to be reverted.
  assert.equal(await K.page.getByTestId('server-notice').count(), 0);

  // Breaking needs a statement.
  await K.page.getByTestId('silence-break').click();
  await K.page.getByTestId('silence-break-confirm').click();
  await waitForText(K.page, '.silence-item [role=alert]', /statement is required/);
  const statement = 'Kenya cannot join consensus on the reference to harmful practices.';
  await K.page.getByTestId('silence-statement').fill(statement);
  await K.page.getByTestId('silence-break-confirm').click();

  // Everyone is told who broke it and why; the paragraph is under discussion and editable again.
  for (const page of [C.page, K.page]) {
    await waitForText(page, '[data-testid=silence-broken]', /Wanjiru Kamau · Kenya/);
    await waitForText(page, '[data-testid=silence-broken] q', statement);
    await waitForStatus(page, 0, 'under_discussion');
    await page.getByTestId('silence-item').waitFor({ state: 'detached', timeout: E2E_TIMEOUT });
  }
  assert.equal(await K.page.locator(para(0)).getAttribute('data-locked'), null);
  C.problems.assertNone('chair');
  K.problems.assertNone('expert', { allowHttp: [] });
});
