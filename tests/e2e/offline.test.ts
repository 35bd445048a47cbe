/**
 * Nothing lost when the tab closes (issue 21): text typed offline and a reply sent offline are
 * kept in this browser (IndexedDB for the report's Y.Doc, localStorage for comment commands);
 * the tab is closed while still offline, the browser goes back online, the report is opened
 * again, and both reach the server, once. The page says what is waiting meanwhile. Logging
 * out deletes every copy the browser kept.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/offline.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SCHEMA_VERSION } from '../../shared/schema.js';
import { listThreads, openThread, paragraphIds } from '../helpers/comments.js';
import {
  E2E_TIMEOUT,
  openAs,
  para,
  pollPage,
  serverParagraphs,
  startBrowserTest,
  VIEWPORT,
  waitForText,
} from './people.js';

/** The bytes this browser keeps for reports, as text (Yjs writes inserted text as UTF-8). */
const KEPT_TEXT = `(async () => {
  const names = (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith('concord-report/'));
  let text = '';
  for (const name of names) {
    const db = await new Promise((ok, no) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
    });
    if (!db.objectStoreNames.contains('updates')) { db.close(); continue; }
    const all = await new Promise((ok, no) => {
      const r = db.transaction('updates').objectStore('updates').getAll();
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
    });
    db.close();
    for (const u of all) text += new TextDecoder().decode(u);
  }
  return { names, text };
})()`;

test('typed offline, tab closed, reopened online: the text and the reply reach the server once', {
  timeout: 180_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Offline', 'gge-report');
  const ana = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const ids = await paragraphIds(server, report.id);
  const thread = await openThread(server, server.chair, report.id, {
    paragraphId: ids[3]!,
    body: 'Comments, Brazil?',
  });
  const url = `${server.baseUrl}/#/r/${report.id}`;
  const A = await openAs(browser, url, {
    name: 'Ana Souza',
    cookie: ana.cookie,
    viewport: VIEWPORT,
  });
  await waitForText(A.page, '[data-testid=save-state]', 'Saved');

  await A.context.setOffline(true);
  await waitForText(A.page, '[data-testid=save-state]', 'Offline');
  await waitForText(
    A.page,
    '[data-testid=connection-banner]',
    /kept in this browser, even if you close the tab/,
  );
  await A.page.locator(para(0)).click();
  await A.page.keyboard.press('End');
  const typed = 'Typed offline, then the tab was closed.';
  await A.page.keyboard.insertText(typed);
  // A reply sent offline: not sent, kept.
  const card = A.page.locator(`[data-thread-id="${thread.id}"]`);
  await card.getByTestId('reply-body').fill('Brazil replies offline.');
  await card.getByTestId('reply-send').click();
  await waitForText(A.page, '[data-testid=pending-send] [role=alert]', /^Not sent — /);
  // The typed text is in IndexedDB before the tab closes.
  await pollPage(
    A.page,
    KEPT_TEXT,
    (v) => (v as { text: string }).text.includes(typed),
    'the copy in IndexedDB',
  );
  const kept = (await A.page.evaluate(KEPT_TEXT)) as { names: string[] };
  assert.deepEqual(kept.names, [`concord-report/${SCHEMA_VERSION}/${ana.id}/${report.id}`]);
  await A.page.close();
  assert.ok(!(await serverParagraphs(server, report.id)).some((p) => p.includes(typed)));

  // Back online, the report opened again in the same browser: both are sent, once.
  await A.context.setOffline(false);
  const page = await A.context.newPage();
  await page.goto(url);
  await page.locator(para(0), { hasText: typed }).waitFor({ timeout: E2E_TIMEOUT });
  for (let i = 0; ; i++) {
    if ((await serverParagraphs(server, report.id)).some((p) => p.endsWith(typed))) break;
    assert.ok(i < 100, 'the text typed offline never reached the server');
    await new Promise((r) => setTimeout(r, 200));
  }
  await waitForText(page, '[data-testid=save-state]', 'Saved');
  await page.getByTestId('restoring-banner').waitFor({ state: 'detached', timeout: E2E_TIMEOUT });
  await waitForText(page, '[data-testid=message-body]', 'Brazil replies offline.');
  const threads = (await listThreads(server, server.chair, report.id)).threads;
  const replies = threads
    .find((x) => x.id === thread.id)!
    .messages.filter((m) => m.body === 'Brazil replies offline.');
  assert.equal(replies.length, 1, 'the reply was sent once');
  assert.equal(
    (await serverParagraphs(server, report.id)).filter((p) => p.includes(typed)).length,
    1,
  );

  // Logging out deletes what this browser kept.
  await page.getByTestId('account').locator('summary').click();
  await page.getByTestId('logout').click();
  await page.getByTestId('login-form').waitFor({ timeout: E2E_TIMEOUT });
  await pollPage(
    page,
    KEPT_TEXT,
    (v) => (v as { names: string[] }).names.length === 0,
    'copies deleted at logout',
  );
});
