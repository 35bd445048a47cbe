/**
 * The inbox in the browser: expert A is reading report Y when expert B mentions her in report X
 * (and replies to her thread there). Without X open, A's header count goes up at the next poll;
 * the inbox lists both items, newest first, with reason, author and State, report title,
 * excerpt (markup stays text) and time, unread ones marked. Choosing the mention opens report X
 * at that thread (active, in view, read) and the count drops; "Mark all read" clears the rest.
 * A new mention in the report that is open shows at once.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/comments-inbox.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inbox, json, key, paragraphIds } from '../helpers/comments.js';
import {
  E2E_TIMEOUT,
  openAs,
  pollPage,
  startBrowserTest,
  VIEWPORT,
  waitForText,
} from './people.js';

/** One poll interval (client/src/inbox/store.ts, INBOX_POLL_MS) and some slack. */
const POLL_WAIT = 30_000;

test('a mention in another report reaches the inbox; its item opens the thread', {
  timeout: 180_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const x = await server.createReport('Report X: final draft', 'gge-report');
  const y = await server.createReport('Report Y: zero draft', 'gge-report');
  const a = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const b = await server.addUser('expert', 'Kenya', 'Wanjiru Kamau');
  const xParas = await paragraphIds(server, x.id);
  const target = xParas[4]!;

  // A's own thread in X (B will reply to it), before A opens anything.
  const post = async (as: typeof a, path: string, body: Record<string, unknown>) =>
    (
      await json(
        await server.request('POST', path, { as, body: { idempotencyKey: key(), ...body } }),
        201,
      )
    ).thread;
  const mine = await post(a, `/api/reports/${x.id}/threads`, {
    paragraphId: xParas[0]!,
    kind: 'comment',
    body: 'My own point on the first paragraph.',
  });

  const dialogs: string[] = [];
  const A = await openAs(browser, `${server.baseUrl}/#/r/${y.id}`, {
    name: 'Ana Souza',
    cookie: a.cookie,
    viewport: VIEWPORT,
  });
  A.page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const inboxAnswers: number[] = [];
  A.page.on('response', (r) => {
    if (r.url().endsWith('/api/inbox') && r.request().method() === 'GET')
      inboxAnswers.push(r.status());
  });
  await waitForText(A.page, '[data-testid=inbox-count]', 'Inbox 0');
  // Report Y settled (its threads loaded, which also asks the inbox once): from here on, only
  // the poll brings news from report X.
  await waitForText(A.page, '.comment-empty', 'No comments yet.');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const settled = inboxAnswers.length;

  // B, elsewhere: replies to A's thread, then mentions A in a new thread (with markup in it).
  await post(b, `/api/threads/${mine.id}/messages`, { body: 'Kenya agrees.' });
  const markup = '<img src=x onerror=alert(1)> @Ana Souza can Brazil accept "should"?';
  const mention = await post(b, `/api/reports/${x.id}/threads`, {
    paragraphId: target,
    kind: 'comment',
    body: markup,
    mentions: [a.id],
  });

  // A is still on report Y: the count catches up at the next poll.
  const posted = Date.now();
  await waitForText(A.page, '[data-testid=inbox-count]', 'Inbox 2', POLL_WAIT);
  assert.deepEqual(
    inboxAnswers.slice(settled).filter((s) => s !== 304),
    [200],
    'one answer brought it (any other poll was an unchanged 304)',
  );
  t.diagnostic(`the poll brought the mention after ${Date.now() - posted} ms`);
  assert.match(A.page.url(), new RegExp(`#/r/${y.id}$`));
  await A.page.getByTestId('inbox-count').click();
  const items = A.page.getByTestId('inbox-item');
  await items.first().waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await items.count(), 2);
  const first = items.nth(0);
  const second = items.nth(1);
  assert.equal(await first.getAttribute('data-thread-id'), mention.id, 'newest first');
  assert.equal(await first.getAttribute('data-unread'), 'true');
  assert.equal(await second.getAttribute('data-reason'), 'reply');
  assert.match(
    (await first.locator('.inbox-line').textContent()) ?? '',
    /^Wanjiru Kamau \(Expert · Kenya\) mentioned you/,
  );
  assert.match(
    (await second.locator('.inbox-line').textContent()) ?? '',
    /^Wanjiru Kamau \(Expert · Kenya\) replied to your thread/,
  );
  // The paragraph's number, and the parts separated ("mentioned youNew" before).
  assert.match(
    (await first.locator('.inbox-line').textContent()) ?? '',
    /mentioned you in paragraph \d+\. New$/,
  );
  assert.match((await first.textContent()) ?? '', /New Report X: final draft /);
  assert.equal(await first.getByTestId('inbox-report').textContent(), 'Report X: final draft');
  assert.equal(await first.getByTestId('inbox-excerpt').textContent(), markup);
  assert.equal(await second.getByTestId('inbox-excerpt').textContent(), 'Kenya agrees.');
  assert.equal(await first.locator('img').count(), 0, 'markup stays text');
  assert.ok(await first.locator('time').getAttribute('datetime'));

  // Choosing the mention opens report X at its thread, read.
  await first.getByTestId('inbox-open').click();
  await pollPage(
    A.page,
    'location.hash',
    (h) => h === `#/r/${x.id}?thread=${mention.id}`,
    'report X at the thread',
  );
  const card = A.page.locator(`[data-testid=thread][data-thread-id="${mention.id}"]`);
  await card.waitFor({ timeout: E2E_TIMEOUT });
  await A.page
    .locator(`[data-testid=thread][data-thread-id="${mention.id}"].is-active`)
    .waitFor({ timeout: E2E_TIMEOUT });
  assert.ok(await card.isVisible());
  await pollPage(
    A.page,
    `(() => { const r = document.querySelector('[data-thread-id="${mention.id}"]').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; })()`,
    (v) => v === true,
    'the thread in view',
  );
  await waitForText(A.page, '[data-testid=inbox-count]', 'Inbox 1');
  // The paragraph the thread is on is selected in the editor.
  await pollPage(
    A.page,
    `(() => { const s = getSelection(); const p = s && s.anchorNode && (s.anchorNode.nodeType === 1 ? s.anchorNode : s.anchorNode.parentElement).closest('.para'); return p ? p.getAttribute('data-id') : null; })()`,
    (v) => v === target,
    'the thread paragraph selected',
  );

  // Mark all read: the count is 0, the items stay, no longer emphasized.
  await A.page.getByTestId('inbox-count').click();
  await A.page.getByTestId('inbox-read-all').click();
  await waitForText(A.page, '[data-testid=inbox-count]', 'Inbox 0');
  await pollPage(
    A.page,
    `[...document.querySelectorAll('[data-testid=inbox-item]')].map((i) => i.dataset.unread)`,
    (v) => JSON.stringify(v) === JSON.stringify(['false', 'false']),
    'both items read',
  );
  assert.equal((await inbox(server, a)).unread, 0, 'read on the server');
  await A.page.keyboard.press('Escape');

  // In the report that is open, a new mention shows without waiting for the poll. (Not in the
  // thread A has open: what arrives there is read at once.)
  await post(b, `/api/reports/${x.id}/threads`, {
    paragraphId: xParas[2]!,
    kind: 'comment',
    body: '@Ana Souza one more thing.',
    mentions: [a.id],
  });
  await waitForText(A.page, '[data-testid=inbox-count]', 'Inbox 1', 5_000);

  // The client revalidates with its ETag: unchanged answers came back as empty 304s.
  assert.ok(inboxAnswers.includes(304), `some 304s among ${JSON.stringify(inboxAnswers)}`);
  assert.deepEqual(dialogs, []);
  A.problems.assertNone('expert A');
});
