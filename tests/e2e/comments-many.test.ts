/**
 * A report with many threads (issue #19): the text is editable while the threads are still
 * loading (the sync does not wait for them), and the panel draws the first 30 cards, more when
 * the end of the list is scrolled to, and always the thread an inbox link opens.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/comments-many.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { openThread, paragraphIds } from '../helpers/comments.js';
import {
  E2E_TIMEOUT,
  newPerson,
  para,
  serverParagraphs,
  startBrowserTest,
  VIEWPORT,
} from './people.js';

const THREADS = 45;

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + E2E_TIMEOUT;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the caret is in the report's first chapter paragraph and the editor saw it. */
async function caretInFirstParagraph(page: Page) {
  await page.waitForFunction(
    `(() => { const n = getSelection()?.anchorNode;
      const el = n && (n.nodeType === 1 ? n : n.parentElement);
      return el?.closest('.ProseMirror .chapter .para') === document.querySelector('.ProseMirror .chapter .para'); })()`,
  );
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))');
}

test('many threads: the text is editable before they load; 30 cards drawn, more on demand, a linked one always', {
  timeout: 180_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: many threads', 'gge-report');
  const paragraphs = await paragraphIds(server, report.id);
  const ids: string[] = [];
  for (let i = 0; i < THREADS; i++) {
    const thread = await openThread(server, server.chair, report.id, {
      paragraphId: paragraphs[i % paragraphs.length]!,
      body: `Thread number ${i}.`,
    });
    ids.push(thread.id);
  }
  const url = `${server.baseUrl}/#/r/${report.id}`;

  // The threads' answer is held back until the text has been edited.
  const person = await newPerson(browser, { cookie: server.chair.cookie, url, viewport: VIEWPORT });
  const { page } = person;
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let asked = 0;
  await page.route(/\/api\/reports\/[^/]+\/threads$/, async (route) => {
    asked++;
    await held;
    await route.continue();
  });
  await page.goto(url);
  await page.locator('.ProseMirror[contenteditable="true"] .chapter .para').first().waitFor({
    timeout: E2E_TIMEOUT,
  });
  await page.locator(para(0)).click();
  await page.keyboard.press('End');
  await caretInFirstParagraph(page);
  await page.keyboard.type(' Typed before the threads came.');
  await until('the early text to reach the server', async () =>
    (await serverParagraphs(server, report.id))[0]!.endsWith('Typed before the threads came.'),
  );
  assert.equal(asked, 1, 'the threads were asked for once, and are still on their way');
  assert.equal(await page.getByTestId('thread').count(), 0);

  release();
  const cards = page.getByTestId('thread');
  await until('30 cards', async () => (await cards.count()) === 30);
  const more = page.getByTestId('threads-more');
  assert.equal(await more.textContent(), `Show ${THREADS - 30} more (${THREADS - 30} not shown)`);
  // Scrolled to the end of the list, it draws the next page (here: the rest).
  await more.evaluate((el) => el.scrollIntoView());
  await until(`all ${THREADS} cards`, async () => (await cards.count()) === THREADS);
  assert.equal(await more.count(), 0, 'nothing left to show');
  assert.deepEqual(person.problems.errors, []);

  // A link to a thread past the first 30 (an inbox item) draws it.
  const linked = await newPerson(browser, { cookie: server.chair.cookie, url, viewport: VIEWPORT });
  const last = await cardOrder(page);
  const target = last[last.length - 1]!;
  await linked.page.goto(`${url}?thread=${target}`);
  await linked.page
    .locator(`[data-testid=thread][data-thread-id="${target}"]`)
    .waitFor({ timeout: E2E_TIMEOUT });
  assert.ok((await linked.page.getByTestId('thread').count()) >= 30);
  assert.ok(ids.includes(target));
});

/** The thread ids in the panel's order. */
async function cardOrder(page: Page): Promise<string[]> {
  return page
    .getByTestId('thread')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-thread-id') ?? ''));
}
