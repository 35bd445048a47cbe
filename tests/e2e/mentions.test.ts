/**
 * "@" completion (issue 21, item 5) in the real browser: typing "@Ch" in a new comment lists
 * the chair; the list is worked from the keyboard (Down, Up, Enter; Escape closes the list and
 * not the form), the text box points at the chosen option (aria-activedescendant) and passes
 * axe with the list open; the named person gets an inbox item. In a delegation thread only
 * that delegation is offered; in an edit, a newly named person is notified.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/mentions.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAccessible } from '../helpers/axe.js';
import { inbox } from '../helpers/comments.js';
import {
  E2E_TIMEOUT,
  openAs,
  para,
  pollPage,
  startBrowserTest,
  VIEWPORT,
  waitForText,
} from './people.js';

test('"@" completes names from the keyboard in a new comment, a reply and an edit; the named are notified', {
  timeout: 180_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Mentions', 'gge-report');
  const ana = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const bruno = await server.addUser('expert', 'Brazil', 'Bruno Lima');
  await server.addUser('expert', 'Kenya', 'Charles Otieno');
  const { page, problems } = await openAs(browser, `${server.baseUrl}/#/r/${report.id}`, {
    name: 'Ana Souza',
    cookie: ana.cookie,
    viewport: VIEWPORT,
  });
  await page.locator(para(0)).click();
  await page.getByTestId('new-thread').click();
  const body = page.getByTestId('thread-body');
  await body.waitFor({ timeout: E2E_TIMEOUT });
  // The members list arrives after the form can open: wait until "@" offers someone.
  await body.pressSequentially('Can the @');
  await page.getByTestId('mention-list').waitFor({ timeout: E2E_TIMEOUT });
  await body.pressSequentially('Ch');
  const options = page.getByTestId('mention-option');
  await pollPage(
    page,
    `[...document.querySelectorAll('[data-testid=mention-option]')].map((o) => o.textContent).join('|')`,
    (v) => v === 'Charles Otieno · Kenya|The Chair',
    'Charles by the start of his name, then the chair by a word of hers',
  );
  // The option the text box points at (aria-activedescendant), by its text.
  const active = () =>
    page.evaluate(`(() => {
      const id = document.querySelector('[data-testid=thread-body]').getAttribute('aria-activedescendant');
      return id ? (document.getElementById(id)?.textContent ?? 'missing') : null;
    })()`);
  assert.equal(await active(), 'Charles Otieno · Kenya');
  await assertAccessible(page, 'new comment with the mention list open');
  await body.press('ArrowDown');
  assert.equal(await active(), 'The Chair');
  await body.press('ArrowDown');
  assert.equal(await active(), 'Charles Otieno · Kenya', 'Down wraps around');
  await body.press('ArrowUp');
  assert.equal(await active(), 'The Chair');
  // Escape closes the list, not the form; typing reopens it.
  await body.press('Escape');
  assert.equal(await options.count(), 0);
  await page.getByTestId('thread-form').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await body.getAttribute('aria-activedescendant'), null);
  await body.press('Backspace');
  await body.pressSequentially('h');
  await options.first().waitFor({ timeout: E2E_TIMEOUT });
  await body.press('ArrowDown');
  assert.equal(await active(), 'The Chair');
  await body.press('Enter');
  await body.pressSequentially('agree?');
  assert.equal(await body.inputValue(), 'Can the @The Chair agree?');
  await page.getByTestId('thread-submit').click();
  const card = page.getByTestId('thread').filter({ hasText: 'agree?' });
  await card.waitFor({ timeout: E2E_TIMEOUT });
  const chairInbox = await inbox(server, server.chair);
  assert.deepEqual(
    chairInbox.items.map((i) => [i.reason, i.author.name]),
    [['mention', 'Ana Souza']],
  );

  // A delegation thread: only Brazil's other expert is offered.
  await page.locator(para(1)).click();
  await page.getByTestId('new-thread').click();
  await page.getByTestId('thread-visibility').selectOption('delegation');
  await body.pressSequentially('@');
  await waitForText(page, '[data-testid=mention-option]', 'Bruno Lima · Brazil');
  assert.equal(await options.count(), 1);
  await body.press('Tab');
  await body.pressSequentially('our line?');
  await page.getByTestId('thread-submit').click();
  await page
    .getByTestId('thread')
    .filter({ hasText: 'our line?' })
    .waitFor({ timeout: E2E_TIMEOUT });
  assert.equal((await inbox(server, bruno)).items.filter((i) => i.reason === 'mention').length, 1);

  // An edit that adds a name notifies that person; a click on an option inserts it too.
  await card.getByTestId('message-edit').click();
  const edit = card.getByTestId('message-edit-body');
  await edit.press('End');
  await edit.pressSequentially(' @bru');
  await waitForText(page, '[data-testid=mention-option]', 'Bruno Lima · Brazil');
  await options.first().click();
  assert.equal(await edit.inputValue(), 'Can the @The Chair agree? @Bruno Lima ');
  await card.getByTestId('message-edit-save').click();
  await waitForText(page, '[data-testid=message-body]', /@Bruno Lima$/);
  assert.equal((await inbox(server, bruno)).items.filter((i) => i.reason === 'mention').length, 2);
  assert.equal(
    (await inbox(server, server.chair)).items.length,
    1,
    'the chair is not notified again',
  );
  problems.assertNone();
});
