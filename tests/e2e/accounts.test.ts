/**
 * Accounts in the browser, from an empty server: the one-time setup link creates the first
 * account (chair) and group; the chair invites an expert from the member page and copies the
 * link; the expert accepts it; a used, an expired and an unknown link each say so; the expert
 * changes their password, logs out from the header menu and logs in again with the new one.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/accounts.test.ts
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { createInvitation } from '../../server/accounts.js';
import { buildServer } from '../../server/app.js';
import { testConfig } from '../../server/config.js';
import { LOGGED_OUT_PROBE, launchBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/server.js';
import { CLIENT_INDEX, E2E_TIMEOUT, logInThroughForm, newPerson, waitForText } from './people.js';

test('setup, invitation, password change, logout and login, all through the pages', {
  timeout: 150_000,
}, async (t) => {
  assert.ok(fs.existsSync(CLIENT_INDEX), 'dist/client is missing: run npm run build:client');
  // An empty server, as at the first start (startTestServer would seed a group and a chair).
  const app = await buildServer(testConfig({ dataDir: tempDir() }));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = address.replace('localhost', '127.0.0.1');
  const browser = await launchBrowser().catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  t.after(async () => {
    await browser.close();
    await app.close();
  });
  const setupToken = app.setup.issue();

  // The login page of an empty server points to the setup link.
  const chair = await newPerson(browser);
  await chair.page.goto(`${baseUrl}/`);
  await chair.page.getByTestId('setup-hint').waitFor({ timeout: E2E_TIMEOUT });

  // Setup: the first account and group.
  await chair.page.goto(`${baseUrl}/#/setup/${setupToken}`);
  await chair.page.getByTestId('setup-form').waitFor({ timeout: E2E_TIMEOUT });
  await chair.page.locator('#setup-name').fill('Carla Chair');
  await chair.page.locator('#setup-email').fill('carla@example.org');
  await chair.page.locator('#setup-password').fill('short');
  await chair.page.locator('#setup-password2').fill('short');
  await chair.page.locator('#setup-group').fill('OEWG 2026');
  await chair.page.getByTestId('setup-submit').click();
  await waitForText(chair.page, '[data-testid=setup-error]', /at least 10 characters/);
  await chair.page.locator('#setup-password').fill('chair-password-1');
  await chair.page.locator('#setup-password2').fill('chair-password-1');
  await chair.page.getByTestId('setup-submit').click();
  await waitForText(chair.page, '[data-testid=group-name]', 'OEWG 2026');
  await waitForText(chair.page, '[data-testid=account-name]', 'Carla Chair');
  await waitForText(chair.page, '[data-testid=account-role]', 'Chair');
  await waitForText(chair.page, '[data-testid=group-role]', 'Chair');

  // The chair starts a report, then invites an expert for Kenya from the member page.
  await chair.page.locator('#new-title').fill('Zero draft');
  await chair.page.getByTestId('new-submit').click();
  await chair.page.locator('.ProseMirror .chapter .para').first().waitFor({ timeout: E2E_TIMEOUT });
  await chair.page.goto(`${baseUrl}/#/`);
  await chair.page.getByTestId('group-members-link').click();
  await chair.page.getByTestId('members').waitFor({ timeout: E2E_TIMEOUT });
  await chair.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  await chair.page.getByTestId('new-invite-role').selectOption('expert');
  await chair.page.getByTestId('new-invite-submit').click();
  await waitForText(chair.page, '[data-testid=new-invite-error]', /State or organisation/);
  await chair.page.getByTestId('new-invite-state').fill('Kenya');
  await chair.page.getByTestId('new-invite-submit').click();
  const link = await chair.page.getByTestId('new-invite-url').inputValue();
  assert.match(link, /\/#\/invite\/[A-Za-z0-9_-]+$/);
  await chair.page.getByTestId('new-invite-copy').click();
  await waitForText(chair.page, '[data-testid=new-invite-copied]', 'Copied.');
  assert.equal(await chair.page.evaluate('navigator.clipboard.readText()'), link);
  // The audit log links are there for the chair.
  assert.match(
    (await chair.page.getByTestId('audit-csv').getAttribute('href')) ?? '',
    /^\/api\/groups\/g_[^/]+\/audit\?format=csv$/,
  );
  const [download] = await Promise.all([
    chair.page.waitForEvent('download', { timeout: E2E_TIMEOUT }),
    chair.page.getByTestId('audit-csv').click(),
  ]);
  const csv = fs.readFileSync((await download.path())!, 'utf8');
  assert.match(csv, /^id,at,actor,action,target,detail,ip,requestId\r\n/);
  assert.match(csv, /invitation\.create/);
  const inviteUrl = `${baseUrl}/#${new URL(link).hash.slice(1)}`;

  // The expert opens the link: group, role and State; then creates the account.
  const expert = await newPerson(browser);
  await expert.page.goto(inviteUrl);
  await expert.page.getByTestId('invite-form').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await expert.page.getByTestId('invite-group').textContent(), 'OEWG 2026');
  assert.equal(await expert.page.getByTestId('invite-role').textContent(), 'Expert');
  assert.equal(await expert.page.getByTestId('invite-represents').textContent(), 'Kenya');
  await expert.page.locator('#invite-name').fill('Wanjiru Kamau');
  await expert.page.locator('#invite-email').fill('wanjiru@example.org');
  await expert.page.locator('#invite-password').fill('expert-password-1');
  await expert.page.locator('#invite-password2').fill('expert-password-1');
  await expert.page.getByTestId('invite-submit').click();
  await waitForText(expert.page, '[data-testid=group-role]', 'Expert · Kenya');
  await waitForText(expert.page, '[data-testid=account-role]', 'Expert · Kenya');
  // An expert may not create reports: no form, and the report is listed.
  await waitForText(expert.page, '.report-link', 'Zero draft');
  assert.equal(await expert.page.getByTestId('new-report').count(), 0);
  // The member page without emails or controls.
  await expert.page.getByTestId('group-members-link').click();
  await expert.page.getByTestId('members').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await expert.page.getByTestId('member').count(), 2);
  assert.equal(await expert.page.getByTestId('member-email').count(), 0);
  assert.equal(await expert.page.getByTestId('member-edit').count(), 0);
  assert.equal(await expert.page.getByTestId('new-invite').count(), 0);
  assert.equal(await expert.page.getByTestId('audit').count(), 0);
  // The chair sees the new member appear, with the email.
  await chair.page.reload();
  await waitForText(chair.page, '[data-testid=member-email]', 'wanjiru@example.org');

  // The same link again: used. An expired one, and a made-up one: each says so.
  const other = await newPerson(browser);
  await other.page.goto(inviteUrl);
  await waitForText(other.page, '[data-testid=invite-problem] h1', 'This invitation has been used');
  const groupId = (await app.storage.listGroups())[0]!.id;
  const expired = await createInvitation(app.storage, groupId, 'observer', 'Chile', -1);
  await other.page.goto(`${baseUrl}/#/invite/${expired.token}`);
  await waitForText(other.page, '[data-testid=invite-problem] h1', 'This invitation has expired');
  await other.page.goto(`${baseUrl}/#/invite/not-a-real-token`);
  await waitForText(other.page, '[data-testid=invite-problem] h1', 'Invitation not found');
  assert.equal(await other.page.getByTestId('invite-form').count(), 0);

  // The expert changes their password (a wrong current one first), logs out, logs in again.
  await expert.page.goto(`${baseUrl}/#/account`);
  await expert.page.locator('#current-password').fill('not-my-password');
  await expert.page.locator('#new-password').fill('expert-password-2');
  await expert.page.locator('#new-password2').fill('expert-password-2');
  await expert.page.getByTestId('password-submit').click();
  await waitForText(
    expert.page,
    '[data-testid=password-error]',
    'The current password is incorrect.',
  );
  await expert.page.locator('#current-password').fill('expert-password-1');
  await expert.page.getByTestId('password-submit').click();
  await waitForText(expert.page, '[data-testid=password-done]', /has been changed/);
  await expert.page.locator('.account-menu summary').click();
  await expert.page.getByTestId('logout').click();
  await expert.page.getByTestId('login-form').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await expert.page.getByTestId('account').isVisible(), false);
  // Logged out for real: the home page sends back to the login.
  await expert.page.goto(`${baseUrl}/#/`);
  await expert.page.getByTestId('login-form').waitFor({ timeout: E2E_TIMEOUT });
  await logInThroughForm(expert.page, 'wanjiru@example.org', 'expert-password-1');
  await waitForText(expert.page, '[data-testid=login-error]', 'Email or password is incorrect.');
  await logInThroughForm(expert.page, 'wanjiru@example.org', 'expert-password-2');
  await waitForText(expert.page, '[data-testid=account-name]', 'Wanjiru Kamau');
  await waitForText(expert.page, '.report-link', 'Zero draft');

  chair.problems.assertNone('chair');
  // The made-up link's 404 is the server's answer the page explains.
  other.problems.assertNone('other', {
    allowHttp: [LOGGED_OUT_PROBE, /^404 \/api\/invitations\/not-a-real-token$/],
  });
  // Expected answers: the logged-out probe, the refused current password, the wrong login.
  expert.problems.assertNone('expert', {
    allowHttp: [LOGGED_OUT_PROBE, /^403 \/api\/password$/, /^401 \/api\/login$/],
  });
});
