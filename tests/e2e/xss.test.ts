/**
 * Everything people type (display names, States, group names, report titles) is shown as text,
 * never as markup or links, on every page: home, member page, invitation page, editor header,
 * presence chips and remote carets.
 *
 * The page's CSP would stop an injected inline handler from running (and log a violation, which
 * the problem watcher reports), so the test also looks for the markup itself: no `img[src=x]`, no
 * element with an `onerror` attribute, no `javascript:` link; and no dialog ever opens.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/xss.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { createGroup, operatorEvent } from '../../server/accounts.js';
import {
  E2E_TIMEOUT,
  newPerson,
  openAs,
  type Person,
  startBrowserTest,
  waitForText,
} from './people.js';

const HTML = '<img src=x onerror=alert(1)>';
const JS_URL = 'javascript:alert(1)';

/**
 * What must not exist anywhere in the page. (ProseMirror itself puts an empty
 * `img.ProseMirror-separator` after a widget that ends a line, e.g. a remote caret.)
 */
const INJECTED = `({
  imgs: document.querySelectorAll('img:not(.ProseMirror-separator)').length,
  imgX: document.querySelectorAll('img[src=x]').length,
  onerror: document.querySelectorAll('[onerror]').length,
  jsLinks: [...document.querySelectorAll('a[href]')].filter((a) => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
  inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
})`;

async function assertInert(page: Page, where: string): Promise<void> {
  assert.deepEqual(
    await page.evaluate(INJECTED),
    { imgs: 0, imgX: 0, onerror: 0, jsLinks: 0, inlineScripts: 0 },
    `${where}: injected markup`,
  );
}

/** Records every dialog (alert, confirm…) the page opens, and dismisses it. */
function watchDialogs(person: Person, dialogs: string[], label: string): void {
  person.page.on('dialog', (dialog) => {
    dialogs.push(`${label}: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss().catch(() => {});
  });
}

test('names, States, group names and titles render as literal text', {
  timeout: 150_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const dialogs: string[] = [];

  // A second group whose name is markup, with the test chair as its chair.
  const evilGroup = await createGroup(server.app.storage, HTML);
  await server.app.storage.addMember(
    {
      groupId: evilGroup.id,
      userId: server.chair.id,
      role: 'chair',
      represents: null,
      createdAt: new Date().toISOString(),
    },
    operatorEvent('member.add', evilGroup.id, server.chair.id, null),
  );
  // People whose names and States are markup and script URLs.
  const expert = await server.addUser('expert', JS_URL, HTML);
  const observer = await server.addUser('observer', HTML, JS_URL);
  // Reports with such titles, one in each group.
  const report = await server.createReport(HTML, 'gge-report');
  const res = await server.request('POST', '/api/reports', {
    body: { title: JS_URL, template: 'blank', groupId: evilGroup.id },
  });
  assert.equal(res.status, 201, await res.clone().text());

  // The chair's home page: both groups, both titles, as text.
  const chair = await openAs(browser, `${server.baseUrl}/#/`, {
    name: 'The Chair',
    cookie: server.chair.cookie,
  });
  watchDialogs(chair, dialogs, 'chair');
  await chair.page.locator('.report-item').nth(1).waitFor({ timeout: E2E_TIMEOUT });
  await waitForText(chair.page, '[data-testid=group-name]', HTML);
  await waitForText(chair.page, '.report-link', HTML);
  await waitForText(chair.page, '.report-link', JS_URL);
  for (const href of await chair.page
    .locator('.report-link')
    .evaluateAll((links) => links.map((a) => a.getAttribute('href')))) {
    assert.match(href ?? '', /^#\/r\/[a-z0-9]{16}$/);
  }
  await assertInert(chair.page, 'home');

  // The member page: names, emails and States as text; an invitation for a State that is markup.
  await chair.page.goto(`${server.baseUrl}/#/g/${server.groupId}`);
  const expertRow = chair.page.locator(`[data-testid=member][data-user-id="${expert.id}"]`);
  await expertRow.waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await expertRow.getByTestId('member-name').textContent(), HTML);
  assert.equal(await expertRow.getByTestId('member-state').textContent(), JS_URL);
  const observerRow = chair.page.locator(`[data-testid=member][data-user-id="${observer.id}"]`);
  assert.equal(await observerRow.getByTestId('member-name').textContent(), JS_URL);
  assert.equal(await observerRow.getByTestId('member-state').textContent(), HTML);
  await chair.page.getByTestId('new-invite-role').selectOption('observer');
  await chair.page.getByTestId('new-invite-state').fill(HTML);
  await chair.page.getByTestId('new-invite-submit').click();
  await chair.page.getByTestId('new-invite-url').waitFor({ timeout: E2E_TIMEOUT });
  assert.ok(
    (await chair.page.getByTestId('new-invite-result').textContent())?.includes(
      `Observer · ${HTML}`,
    ),
  );
  // The change-role form shows the State in an input's value, not as markup.
  await expertRow.getByTestId('member-edit').click();
  assert.equal(await expertRow.getByTestId('member-state-input').inputValue(), JS_URL);
  await assertInert(chair.page, 'member page');

  // The group whose name is markup.
  await chair.page.goto(`${server.baseUrl}/#/g/${evilGroup.id}`);
  await waitForText(chair.page, '[data-testid=group-title]', HTML);
  await assertInert(chair.page, 'member page of the markup group');

  // An invitation to that group, opened by someone who is not logged in.
  const invRes = await server.request('POST', `/api/groups/${evilGroup.id}/invitations`, {
    body: { role: 'expert', represents: JS_URL },
  });
  assert.equal(invRes.status, 201);
  const { token } = (await invRes.json()) as { token: string };
  const guest = await newPerson(browser);
  watchDialogs(guest, dialogs, 'guest');
  await guest.page.goto(`${server.baseUrl}/#/invite/${token}`);
  await guest.page.getByTestId('invite-form').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await guest.page.getByTestId('invite-group').textContent(), HTML);
  assert.equal(await guest.page.getByTestId('invite-represents').textContent(), JS_URL);
  await assertInert(guest.page, 'invitation page');

  // The expert in the report: header, title, and the observer's presence as text.
  const url = `${server.baseUrl}/#/r/${report.id}`;
  const e = await openAs(browser, url, { name: HTML, cookie: expert.cookie });
  watchDialogs(e, dialogs, 'expert');
  await waitForText(e.page, '[data-testid=account-role]', `Expert · ${JS_URL}`);
  await waitForText(e.page, '[data-testid=report-title]', HTML);
  await waitForText(e.page, '.ProseMirror .report-title', HTML);
  const o = await openAs(browser, url, { name: JS_URL, cookie: observer.cookie });
  watchDialogs(o, dialogs, 'observer');
  await waitForText(o.page, '[data-testid=account-role]', `Observer · ${HTML}`);
  await e.page.locator('.ProseMirror .chapter .para').first().click();
  await e.page.keyboard.type('Text.');
  // The observer sees the expert's caret and chip; the expert sees the observer's chip.
  await waitForText(o.page, '.ProseMirror .remote-caret-label', `${HTML} · ${JS_URL}`);
  await waitForText(o.page, '[data-testid=presence] .presence-name', HTML);
  await waitForText(o.page, '[data-testid=presence] .presence-role', `Expert · ${JS_URL}`);
  await waitForText(e.page, '[data-testid=presence] .presence-name', JS_URL);
  await waitForText(e.page, '[data-testid=presence] .presence-role', `Observer · ${HTML}`);
  await assertInert(e.page, 'editor (expert)');
  await assertInert(o.page, 'editor (observer)');
  assert.equal(await e.page.title(), `${HTML} · Concord`);

  assert.deepEqual(dialogs, [], 'no dialog opened');
  chair.problems.assertNone('chair');
  guest.problems.assertNone('guest');
  e.problems.assertNone('expert');
  o.problems.assertNone('observer');
});
