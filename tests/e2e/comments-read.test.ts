/**
 * Unread is the same on every device: Kenya's expert opens a thread; Brazil's expert sees it
 * unread, opens it on one device (a browser context), and a second device (a fresh context, empty
 * localStorage) shows it read, from the server's read marker.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/comments-read.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ThreadListResponse } from '../../shared/comments.js';
import { json, openThread, paragraphIds } from '../helpers/comments.js';
import { E2E_TIMEOUT, openAs, startBrowserTest, VIEWPORT } from './people.js';

test('a thread read on one device is read on another (server read marker)', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: read state', 'gge-report');
  const a = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const b = await server.addUser('expert', 'Kenya', 'Wanjiru Kamau');
  const para = (await paragraphIds(server, report.id))[0]!;
  const thread = await openThread(server, b, report.id, { paragraphId: para, body: 'A question.' });
  const url = `${server.baseUrl}/#/r/${report.id}`;

  const first = await openAs(browser, url, {
    name: 'Ana Souza',
    cookie: a.cookie,
    viewport: VIEWPORT,
  });
  const card = first.page.getByTestId('thread');
  await card.getByTestId('thread-unread').waitFor({ timeout: E2E_TIMEOUT });
  await first.page
    .locator('.ProseMirror [data-testid=comment-badge].is-unread')
    .waitFor({ timeout: E2E_TIMEOUT });
  await card.getByTestId('message-body').click();
  await card.getByTestId('thread-unread').waitFor({ state: 'detached', timeout: E2E_TIMEOUT });
  // The page told the server.
  const deadline = Date.now() + E2E_TIMEOUT;
  for (;;) {
    const data = await json<ThreadListResponse>(
      await server.request('GET', `/api/reports/${report.id}/threads`, { as: a }),
      200,
    );
    if (data.reads[thread.id]) break;
    assert.ok(Date.now() < deadline, 'the read marker to reach the server');
    await new Promise((r) => setTimeout(r, 50));
  }

  const second = await openAs(browser, url, {
    name: 'Ana Souza',
    cookie: a.cookie,
    viewport: VIEWPORT,
  });
  const card2 = second.page.getByTestId('thread');
  await card2.waitFor({ timeout: E2E_TIMEOUT });
  await second.page
    .locator('.ProseMirror [data-testid=comment-badge]')
    .waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await card2.getByTestId('thread-unread').count(), 0, 'read on the second device');
  assert.equal(
    await second.page.locator('.ProseMirror [data-testid=comment-badge].is-unread').count(),
    0,
  );
});
