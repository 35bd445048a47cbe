/**
 * Roles in the browser: an expert and an observer log in through the login form; the observer
 * follows the text live but cannot change it (neither on their page, nor the expert's, nor on
 * the server); the header shows role and State. A chair turns the expert into an observer from
 * the member page, and the expert's open editor becomes read-only without a reload (and
 * editable again when the chair changes it back). A wrong password shows the server's message.
 * Removal, a logout elsewhere, a refused late write and a stranger's visit each say what happened.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/roles.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { createAccount, createGroup } from '../../server/accounts.js';
import { LOGGED_OUT_PROBE } from '../helpers/browser.js';
import { login } from '../helpers/server.js';
import {
  E2E_TIMEOUT,
  logInThroughForm,
  newPerson,
  openAs,
  para,
  paragraphTexts,
  pollPage,
  serverParagraphs,
  startBrowserTest,
  waitForCaretLabel,
  waitForParagraph,
  waitForText,
} from './people.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** contenteditable of the report text ("true" / "false"). */
function editableAttr(page: Page): Promise<string | null> {
  return page.locator('.ProseMirror').getAttribute('contenteditable');
}

test('an observer sees the text live and cannot change it; an expert edits', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: roles', 'gge-report');
  const expert = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const observer = await server.addUser('observer', 'European Union', 'Jean Dupont');
  const url = `${server.baseUrl}/#/r/${report.id}`;

  // The observer opens the report's address, lands on the login form, mistypes the password
  // and sees the server's own message; then logs in and is brought back to the report.
  const o = await newPerson(browser);
  await o.page.goto(url);
  await logInThroughForm(o.page, observer.email, 'not-the-password');
  await waitForText(o.page, '[data-testid=login-error]', 'Email or password is incorrect.');
  assert.equal(await o.page.locator('.ProseMirror').count(), 0, 'no report before logging in');
  await logInThroughForm(o.page, observer.email, observer.password);
  await o.page.locator('.ProseMirror .chapter .para').first().waitFor({ timeout: E2E_TIMEOUT });
  await waitForText(o.page, '[data-testid=account-name]', 'Jean Dupont');

  const e = await openAs(browser, url, {
    name: 'Ana Souza',
    login: { email: expert.email, password: expert.password },
  });

  // The header: role and State in the report's group.
  await waitForText(e.page, '[data-testid=account-role]', 'Expert · Brazil');
  await waitForText(o.page, '[data-testid=account-role]', 'Observer · European Union');

  // The observer's editor is read-only and says so; the expert's is not.
  await o.page.getByTestId('read-only').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await editableAttr(o.page), 'false');
  assert.equal(await e.page.getByTestId('read-only').isVisible(), false);
  assert.equal(await editableAttr(e.page), 'true');

  // The expert types; the observer sees it live, with the expert's named caret and State.
  const text = 'The Group recalls the mandate given by resolution 70/237.';
  await e.page.locator(para(0)).click();
  await e.page.keyboard.type(text);
  await waitForParagraph(o.page, 0, text);
  await waitForCaretLabel(o.page, 'Ana Souza · Brazil');
  await waitForText(o.page, '[data-testid=presence] .presence-role', 'Expert · Brazil');
  await waitForText(e.page, '[data-testid=presence] .presence-name', 'Jean Dupont');
  await waitForText(e.page, '[data-testid=presence] .presence-role', 'Observer · European Union');
  await waitForText(e.page, '[data-testid=save-state]', 'Saved');

  // The observer tries to type, delete, split and indent: nothing changes anywhere.
  const before = await paragraphTexts(e.page);
  const stored = await serverParagraphs(server, report.id);
  assert.deepEqual(stored, before, 'the server holds what the expert typed');
  await o.page.locator(para(0)).click();
  await o.page.keyboard.type('Observer text');
  await o.page.keyboard.press('Backspace');
  await o.page.keyboard.press('Enter');
  await o.page.keyboard.press('Tab');
  await o.page.locator(para(1)).click();
  await o.page.keyboard.type('More observer text');
  // Time for anything that was sent to arrive and be relayed.
  await sleep(1500);
  assert.deepEqual(await paragraphTexts(o.page), before, "the observer's page is unchanged");
  assert.deepEqual(await paragraphTexts(e.page), before, "the expert's page is unchanged");
  assert.deepEqual(await serverParagraphs(server, report.id), before, 'the server is unchanged');
  // Nothing was even sent: the server never had to refuse a write from this page.
  assert.equal(await o.page.getByTestId('server-notice').count(), 0);
  assert.equal(await o.page.locator('.ProseMirror').getAttribute('aria-readonly'), 'true');

  // No title rename for an observer or an expert (only chair and secretariat rename).
  assert.equal(await o.page.locator('button[data-testid=report-title]').count(), 0);
  assert.equal(await e.page.locator('button[data-testid=report-title]').count(), 0);

  e.problems.assertNone('expert page');
  // The observer's page met a 401 for the wrong password (the login answer) and for /api/me.
  o.problems.assertNone('observer page', { allowHttp: [LOGGED_OUT_PROBE, /^401 \/api\/login$/] });
});

test("a chair changes an expert's role on the member page: the editor follows without a reload", {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: role change', 'gge-report');
  const expert = await server.addUser('expert', 'Kenya', 'Wanjiru Kamau');
  const url = `${server.baseUrl}/#/r/${report.id}`;

  const e = await openAs(browser, url, { name: 'Wanjiru Kamau', cookie: expert.cookie });
  await waitForText(e.page, '[data-testid=account-role]', 'Expert · Kenya');
  await e.page.locator(para(0)).click();
  await e.page.keyboard.type('Before the change.');
  await waitForText(e.page, '[data-testid=save-state]', 'Saved');
  // A marker that a reload would wipe.
  await e.page.evaluate('window.__noReload = true');

  // The chair opens the group's member page and makes the expert an observer.
  const c = await openAs(browser, `${server.baseUrl}/#/g/${server.groupId}`, {
    name: 'The Chair',
    cookie: server.chair.cookie,
  });
  const row = c.page.locator(`[data-testid=member][data-user-id="${expert.id}"]`);
  await row.waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await row.getByTestId('member-email').textContent(), expert.email);
  await row.getByTestId('member-edit').click();
  await row.getByTestId('member-role-select').selectOption('observer');
  assert.equal(await row.getByTestId('member-state-input').inputValue(), 'Kenya');
  await row.getByTestId('member-save').click();
  await waitForText(c.page, `[data-user-id="${expert.id}"] [data-testid=member-role]`, 'Observer');

  // Within a few seconds, the expert's open page turns read-only, and the header follows.
  await e.page.getByTestId('read-only').waitFor({ timeout: 10_000 });
  await pollPage(
    e.page,
    `document.querySelector('.ProseMirror').getAttribute('contenteditable')`,
    (value) => value === 'false',
    'the editor to become read-only',
    10_000,
  );
  await waitForText(e.page, '[data-testid=account-role]', 'Observer · Kenya', 10_000);
  assert.equal(await e.page.evaluate('window.__noReload'), true, 'the page was not reloaded');

  // Typing now changes nothing, here or on the server.
  const before = await paragraphTexts(e.page);
  assert.equal(before[0], 'Before the change.');
  await e.page.locator(para(0)).click();
  await e.page.keyboard.type(' After.');
  await sleep(1000);
  assert.deepEqual(await paragraphTexts(e.page), before);
  assert.deepEqual(await serverParagraphs(server, report.id), before);

  // Back to expert: editable again, still without a reload, and the text reaches the server.
  await c.page.reload();
  await row.getByTestId('member-edit').click();
  await row.getByTestId('member-role-select').selectOption('expert');
  await row.getByTestId('member-save').click();
  await waitForText(c.page, `[data-user-id="${expert.id}"] [data-testid=member-role]`, 'Expert');
  await pollPage(
    e.page,
    `document.querySelector('.ProseMirror').getAttribute('contenteditable')`,
    (value) => value === 'true',
    'the editor to become editable again',
    10_000,
  );
  assert.equal(await e.page.getByTestId('read-only').isVisible(), false);
  await e.page.locator(para(0)).click();
  await e.page.keyboard.press('End');
  await e.page.keyboard.type(' After.');
  await waitForText(e.page, '[data-testid=save-state]', 'Saved');
  assert.equal((await serverParagraphs(server, report.id))[0], 'Before the change. After.');
  assert.equal(await e.page.evaluate('window.__noReload'), true, 'the page was not reloaded');

  e.problems.assertNone('expert page');
  c.problems.assertNone('chair page');
});

test('removed from the group, or logged out elsewhere: the editor stops and says why', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: removal', 'gge-report');
  const removed = await server.addUser('expert', 'Chile', 'Removed Expert');
  const other = await server.addUser('expert', 'Peru', 'Other Expert');
  const url = `${server.baseUrl}/#/r/${report.id}`;

  // The chair removes an expert whose editor is open: the page says so and stops editing.
  const r = await openAs(browser, url, { name: 'Removed Expert', cookie: removed.cookie });
  assert.equal(await editableAttr(r.page), 'true');
  const c = await openAs(browser, `${server.baseUrl}/#/g/${server.groupId}`, {
    name: 'The Chair',
    cookie: server.chair.cookie,
  });
  const row = c.page.locator(`[data-testid=member][data-user-id="${removed.id}"]`);
  await row.getByTestId('member-remove').click();
  await row.getByTestId('member-remove-confirm').click();
  await row.waitFor({ state: 'detached', timeout: E2E_TIMEOUT });
  await waitForText(
    r.page,
    '[data-testid=connection-banner]',
    'You are no longer a member of this group.',
    10_000,
  );
  await pollPage(
    r.page,
    `document.querySelector('.ProseMirror').getAttribute('contenteditable')`,
    (value) => value === 'false',
    'the editor to stop being editable',
    10_000,
  );

  // Logging out in another tab ends this tab's session: it goes to the login page with the
  // reason, and logging in again brings the report back.
  const o = await openAs(browser, url, { name: 'Other Expert', cookie: other.cookie });
  await o.page.locator(para(0)).click();
  await o.page.keyboard.type('Typed before the logout.');
  await waitForText(o.page, '[data-testid=save-state]', 'Saved');
  const tab = await o.context.newPage();
  await tab.goto(`${server.baseUrl}/#/`);
  await tab.locator('.account-menu summary').click();
  await tab.getByTestId('logout').click();
  await tab.getByTestId('login-form').waitFor({ timeout: E2E_TIMEOUT });
  await waitForText(
    o.page,
    '[data-testid=login-notice]',
    'Your session has ended. Log in again to continue.',
    10_000,
  );
  await logInThroughForm(o.page, other.email, other.password);
  await waitForParagraph(o.page, 0, 'Typed before the logout.');
  assert.equal(await editableAttr(o.page), 'true');

  r.problems.assertNone('removed expert page');
  c.problems.assertNone('chair page');
  o.problems.assertNone('other expert page');
});

test('text typed offline by someone who became an observer meanwhile: refused, and said so', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: late demotion', 'gge-report');
  const expert = await server.addUser('expert', 'Chile', 'Late Expert');
  const url = `${server.baseUrl}/#/r/${report.id}`;

  const e = await openAs(browser, url, { name: 'Late Expert', cookie: expert.cookie });
  await e.page.locator(para(0)).click();
  await e.page.keyboard.type('Saved text.');
  await waitForText(e.page, '[data-testid=save-state]', 'Saved');

  // Offline, the expert keeps typing; meanwhile the chair makes them an observer.
  await e.context.setOffline(true);
  await waitForText(e.page, '[data-testid=save-state]', 'Offline');
  await e.page.keyboard.type(' Typed offline.');
  const res = await server.request('PATCH', `/api/groups/${server.groupId}/members/${expert.id}`, {
    body: { role: 'observer', represents: 'Chile' },
    headers: { origin: server.baseUrl },
  });
  assert.equal(res.status, 200, await res.clone().text());

  // Back online: the server refuses what was typed offline, and the page says so (it does not
  // quietly keep text the others never see), turns read-only, and offers to reload.
  await e.context.setOffline(false);
  await waitForText(e.page, '[data-testid=server-notice] .banner-text', /read-only/, 10_000);
  await e.page.getByTestId('read-only').waitFor({ timeout: 10_000 });
  assert.deepEqual((await serverParagraphs(server, report.id))[0], 'Saved text.');
  await e.page.getByTestId('server-notice-reload').click();
  await waitForParagraph(e.page, 0, 'Saved text.');
  await e.page.getByTestId('read-only').waitFor({ timeout: 10_000 });

  // The browser reports the refused reconnection attempts while offline; nothing else.
  const unexpected = e.problems.errors.filter((x) => !/ERR_INTERNET_DISCONNECTED/.test(x));
  assert.deepEqual(unexpected, []);
  assert.deepEqual(e.problems.httpErrors, []);
});

test('a report of a group one is not in: the page says so and opens no socket', {
  timeout: 60_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: members only', 'gge-report');
  // A user whose only group is another one.
  const otherGroup = await createGroup(server.app.storage, 'Another group');
  await createAccount(server.app.storage, {
    email: 'stranger@test.example',
    displayName: 'Stranger',
    password: 'stranger-password',
    membership: { groupId: otherGroup.id, role: 'expert', represents: 'Nowhere' },
  });
  const cookie = await login(server.baseUrl, 'stranger@test.example', 'stranger-password');
  const s = await newPerson(browser, { cookie, url: server.baseUrl });
  const sockets: string[] = [];
  s.page.on('websocket', (ws) => sockets.push(ws.url()));
  await s.page.goto(`${server.baseUrl}/#/r/${report.id}`);
  await waitForText(s.page, '[data-testid=connection-banner]', 'This report does not exist.');
  await waitForText(s.page, '[data-testid=account-name]', 'Stranger');
  assert.equal(await s.page.locator('.ProseMirror').count(), 0);
  assert.deepEqual(sockets, []);
  // The home page lists only their own group.
  await s.page.getByTestId('back-link').click();
  await waitForText(s.page, '[data-testid=group-name]', 'Another group');
  assert.equal(await s.page.getByTestId('group').count(), 1);
  s.problems.assertNone('stranger', { allowHttp: [new RegExp(`^404 /api/reports/${report.id}$`)] });
});
