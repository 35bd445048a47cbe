/**
 * Comment threads in the browser: expert A comments on the 13th paragraph; expert B sees the
 * margin badge and the thread live and replies; A sees the reply and the unread marker, and
 * opening the thread clears it. A proposes a replacement text; the chair applies it and both
 * experts' pages show the new text and "applied by". Markup in a comment stays text. An
 * observer reads the threads with no controls.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/comments.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  E2E_TIMEOUT,
  openAs,
  type Person,
  para,
  paragraphTexts,
  pollPage,
  serverParagraphs,
  startBrowserTest,
  VIEWPORT,
  waitForParagraph,
  waitForText,
} from './people.js';

const TARGET = 12;

/** Fails the test on any dialog (an alert would mean injected script ran). */
function noDialogs(person: Person, dialogs: string[]): void {
  person.page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
}

function thread(page: Page, body: string) {
  return page.locator('[data-testid=thread]', {
    has: page.locator('[data-testid=message-body]', { hasText: body }),
  });
}

test('threads live across pages: comment, badge, reply, unread, proposal applied, text stays text', {
  timeout: 180_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: comments', 'gge-report');
  const a = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const b = await server.addUser('expert', 'Kenya', 'Wanjiru Kamau');
  const obs = await server.addUser('observer', 'European Union', 'Jean Dupont');
  const url = `${server.baseUrl}/#/r/${report.id}`;
  const dialogs: string[] = [];

  const A = await openAs(browser, url, { name: 'Ana Souza', cookie: a.cookie, viewport: VIEWPORT });
  noDialogs(A, dialogs);

  // Enough paragraphs for a 13th.
  await A.page.locator(para(0)).click();
  await A.page.keyboard.press('End');
  let count = (await paragraphTexts(A.page)).length;
  for (let i = 0; count <= TARGET; i++) {
    await A.page.keyboard.press('Enter');
    await A.page.keyboard.type(`Added paragraph ${i}.`);
    count = (await paragraphTexts(A.page)).length;
  }
  await A.page.locator(para(TARGET)).click();
  await A.page.keyboard.press('End');
  await A.page.keyboard.type(' The Group recalls resolution 70/237.');
  await waitForText(A.page, '[data-testid=save-state]', 'Saved');
  const cite = await A.page.locator(para(TARGET)).getAttribute('data-cite');
  assert.ok(cite, 'the paragraph has a number');
  const targetText = (await paragraphTexts(A.page))[TARGET]!;

  const B = await openAs(browser, url, {
    name: 'Wanjiru Kamau',
    cookie: b.cookie,
    viewport: VIEWPORT,
  });
  noDialogs(B, dialogs);
  const C = await openAs(browser, url, {
    name: 'The Chair',
    cookie: server.chair.cookie,
    viewport: VIEWPORT,
  });
  noDialogs(C, dialogs);
  const O = await openAs(browser, url, {
    name: 'Jean Dupont',
    cookie: obs.cookie,
    viewport: VIEWPORT,
  });
  noDialogs(O, dialogs);

  // A comments on the paragraph at the cursor, quoting a selection.
  await A.page.locator(para(TARGET)).click();
  await A.page.getByTestId('new-thread').click();
  await waitForText(A.page, '[data-testid=thread-form-target]', `Paragraph ${cite}`);
  const comment = 'Please align this with the 2021 consensus report.';
  await A.page.getByTestId('thread-body').fill(comment);
  await A.page.getByTestId('thread-submit').click();
  await thread(A.page, comment).waitFor({ timeout: E2E_TIMEOUT });
  await waitForText(A.page, '[data-testid=thread-label]', `Paragraph ${cite}`);

  // B sees the badge on that paragraph and the thread, live.
  const badgeB = B.page.locator(para(TARGET)).locator('[data-testid=comment-badge]');
  await badgeB.waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await badgeB.getAttribute('data-count'), '1');
  assert.equal((await paragraphTexts(B.page))[TARGET], targetText, 'the badge adds no text');
  await badgeB.click();
  await waitForText(B.page, '[data-testid=thread-label]', `Paragraph ${cite}`);
  const threadB = thread(B.page, comment);
  await threadB.waitFor({ timeout: E2E_TIMEOUT });
  await waitForText(B.page, '[data-testid=message-author]', 'Ana Souza · Brazil');
  // Clicking the label selects the paragraph in B's editor.
  await threadB.getByTestId('thread-label').click();
  await pollPage(
    B.page,
    'window.getSelection().toString()',
    (v) => v === targetText,
    'the paragraph to be selected',
  );

  // B replies; A sees the reply and the unread marker (badge and thread).
  const reply = 'Kenya supports this, with a reference to the 2015 report.';
  await threadB.getByTestId('reply-body').fill(reply);
  await threadB.getByTestId('reply-send').click();
  await waitForText(A.page, '[data-testid=message-body]', reply);
  await A.page
    .locator(para(TARGET))
    .locator('[data-testid=comment-badge].is-unread')
    .waitFor({ timeout: E2E_TIMEOUT });
  await thread(A.page, reply).getByTestId('thread-unread').waitFor({ timeout: E2E_TIMEOUT });
  await waitForText(A.page, '[data-testid=message-author]', 'Wanjiru Kamau · Kenya');
  // Opening the thread marks it read.
  await thread(A.page, reply).locator('.thread-messages').click();
  await thread(A.page, reply).getByTestId('thread-unread').waitFor({ state: 'detached' });
  await A.page
    .locator(para(TARGET))
    .locator('[data-testid=comment-badge]:not(.is-unread)')
    .waitFor({ timeout: E2E_TIMEOUT });

  // The observer reads it all, with no controls.
  await thread(O.page, reply).waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await O.page.getByTestId('new-thread').isVisible(), false);
  assert.equal(await O.page.getByTestId('reply-body').count(), 0);
  assert.equal(await O.page.getByTestId('thread-resolve').count(), 0);
  assert.equal(await O.page.getByTestId('message-edit').count(), 0);

  // A proposes a replacement; the chair sees the diff and applies it.
  const proposed = targetText.replace('recalls', 'reaffirms');
  assert.notEqual(proposed, targetText);
  await A.page.locator(para(TARGET)).click();
  await A.page.keyboard.press('Control+Alt+m');
  await A.page.getByTestId('thread-body').fill('Stronger verb.');
  await A.page.getByTestId('thread-kind').selectOption('proposal');
  await A.page.getByTestId('thread-proposal').fill(proposed);
  await A.page.getByTestId('thread-submit').click();
  const proposalC = thread(C.page, 'Stronger verb.');
  await proposalC.waitFor({ timeout: E2E_TIMEOUT });
  await waitForText(C.page, '[data-testid=proposal-diff] del', 'recalls');
  await waitForText(C.page, '[data-testid=proposal-diff] ins', 'reaffirms');
  assert.equal(await thread(A.page, 'Stronger verb.').getByTestId('proposal-apply').count(), 0);
  await proposalC.getByTestId('proposal-apply').click();
  await waitForParagraph(A.page, TARGET, proposed);
  await waitForParagraph(B.page, TARGET, proposed);
  await waitForText(A.page, '[data-testid=proposal-applied]', 'applied by The Chair · Chair');
  await waitForText(B.page, '[data-testid=proposal-applied]', 'applied by The Chair · Chair');
  await waitForText(C.page, '[data-testid=save-state]', 'Saved');
  assert.equal((await serverParagraphs(server, report.id))[TARGET], proposed);

  // Markup and script URLs in a comment are text.
  const img = '<img src=x onerror=alert(1)>';
  const js = 'javascript:alert(1)';
  await threadB.getByTestId('reply-body').fill(img);
  await threadB.getByTestId('reply-send').click();
  await waitForText(A.page, '[data-testid=message-body]', img);
  await B.page.locator(para(TARGET - 1)).click();
  await B.page.getByTestId('new-thread').click();
  await B.page.getByTestId('thread-body').fill(js);
  await B.page.getByTestId('thread-submit').click();
  await waitForText(A.page, '[data-testid=message-body]', js);
  for (const p of [A, B, C, O]) {
    assert.equal(await p.page.locator('[data-testid=comments-panel] img').count(), 0);
    assert.equal(await p.page.locator('[data-testid=comments-panel] a').count(), 0);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.deepEqual(dialogs, []);

  A.problems.assertNone('expert A');
  B.problems.assertNone('expert B');
  C.problems.assertNone('chair');
  O.problems.assertNone('observer');
});

test('a reply that fails stays visible as not sent, and a retry never duplicates it', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: offline comments', 'gge-report');
  const a = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const b = await server.addUser('expert', 'Kenya', 'Wanjiru Kamau');
  const url = `${server.baseUrl}/#/r/${report.id}`;
  const A = await openAs(browser, url, { name: 'Ana Souza', cookie: a.cookie, viewport: VIEWPORT });
  const B = await openAs(browser, url, {
    name: 'Wanjiru Kamau',
    cookie: b.cookie,
    viewport: VIEWPORT,
  });

  await A.page.locator(para(0)).click();
  await A.page.getByTestId('new-thread').click();
  await A.page.getByTestId('thread-body').fill('First comment.');
  await A.page.getByTestId('thread-submit').click();
  const threadB = thread(B.page, 'First comment.');
  await threadB.waitFor({ timeout: E2E_TIMEOUT });
  const threadA = thread(A.page, 'First comment.');

  // Offline: the reply fails, and says so.
  await A.context.setOffline(true);
  await waitForText(A.page, '[data-testid=save-state]', 'Offline');
  await threadA.getByTestId('reply-body').fill('Typed offline.');
  await threadA.getByTestId('reply-send').click();
  await waitForText(A.page, '[data-testid=pending-send] [role=alert]', /^Not sent — /);
  assert.equal(await threadA.getByTestId('pending-send').count(), 1);
  // Meanwhile B replies: A gets it on reconnection (the server replays the events after her seq).
  // (A new thread: the answer to A's own retried reply carries only her thread.)
  await B.page.locator(para(0)).click();
  await B.page.getByTestId('new-thread').click();
  await B.page.getByTestId('thread-body').fill('While you were away.');
  await B.page.getByTestId('thread-submit').click();
  await waitForText(B.page, '[data-testid=message-body]', 'While you were away.');
  // Back online: the failed reply goes by itself, once.
  await A.context.setOffline(false);
  await waitForText(A.page, '[data-testid=message-body]', 'While you were away.');
  await waitForText(B.page, '[data-testid=message-body]', 'Typed offline.');
  await threadA.getByTestId('pending-send').waitFor({ state: 'detached', timeout: E2E_TIMEOUT });
  assert.equal(
    await threadA.locator('[data-testid=message-body]', { hasText: 'Typed offline.' }).count(),
    1,
  );

  // The server takes a reply but the answer is lost: the retry, with the same key, adds nothing.
  let lost = 0;
  await A.page.route('**/api/threads/*/messages', async (route) => {
    if (lost++ > 0) return route.continue();
    await route.fetch();
    await route.abort('failed');
  });
  await threadA.getByTestId('reply-body').fill('Answer lost.');
  await threadA.getByTestId('reply-send').click();
  await waitForText(B.page, '[data-testid=message-body]', 'Answer lost.');
  await threadA.getByTestId('pending-retry').click();
  await threadA.getByTestId('pending-send').waitFor({ state: 'detached', timeout: E2E_TIMEOUT });
  const count = (page: Page) =>
    thread(page, 'First comment.')
      .locator('[data-testid=message-body]', { hasText: 'Answer lost.' })
      .count();
  assert.equal(await count(A.page), 1);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(await count(B.page), 1);
  // A reply that never left survives a reload, and goes once the page is back.
  await A.page.unrouteAll();
  await A.page.route('**/api/threads/*/messages', (route) => route.abort('failed'));
  await threadA.getByTestId('reply-body').fill('Survives a reload.');
  await threadA.getByTestId('reply-send').click();
  await threadA.getByTestId('pending-retry').waitFor({ timeout: E2E_TIMEOUT });
  await A.page.unrouteAll();
  await A.page.reload();
  await waitForText(B.page, '[data-testid=message-body]', 'Survives a reload.');
  await waitForText(A.page, '[data-testid=message-body]', 'Survives a reload.');
  assert.equal(await A.page.getByTestId('pending-send').count(), 0);

  const stored = await (
    await server.request('GET', `/api/reports/${report.id}/threads`, { as: a })
  ).json();
  const bodies = (
    stored as { threads: Array<{ messages: Array<{ body: string }> }> }
  ).threads.flatMap((x) => x.messages.map((m) => m.body));
  assert.deepEqual(bodies.sort(), [
    'Answer lost.',
    'First comment.',
    'Survives a reload.',
    'Typed offline.',
    'While you were away.',
  ]);

  // The browser logs the requests that failed while offline or aborted; nothing else.
  const unexpected = A.problems.errors.filter(
    (x) => !/ERR_INTERNET_DISCONNECTED|ERR_FAILED|Failed to load resource/.test(x),
  );
  assert.deepEqual(unexpected, []);
  B.problems.assertNone('expert B');
});

test('visibility, mentions and inbox, edit, delete, resolve and reopen, a deleted paragraph', {
  timeout: 120_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: thread life', 'gge-report');
  const a = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const b = await server.addUser('expert', 'Kenya', 'Wanjiru Kamau');
  const url = `${server.baseUrl}/#/r/${report.id}`;
  const A = await openAs(browser, url, { name: 'Ana Souza', cookie: a.cookie, viewport: VIEWPORT });
  const B = await openAs(browser, url, {
    name: 'Wanjiru Kamau',
    cookie: b.cookie,
    viewport: VIEWPORT,
  });
  const C = await openAs(browser, url, {
    name: 'The Chair',
    cookie: server.chair.cookie,
    viewport: VIEWPORT,
  });

  await A.page.locator(para(0)).click();
  await A.page.keyboard.type('Alpha text.');
  await A.page.keyboard.press('Enter');
  await A.page.keyboard.type('Beta text.');
  await waitForParagraph(B.page, 1, 'Beta text.');

  // A delegation thread on the second paragraph, quoting its text: only Brazil's experts see it.
  await A.page.keyboard.press('Home');
  await A.page.keyboard.press('Shift+End');
  await A.page.keyboard.press('Control+Alt+m');
  await waitForText(A.page, '[data-testid=thread-form] .comment-quote', 'Beta text.');
  await A.page.getByTestId('thread-body').fill('Brazil only.');
  await A.page.getByTestId('thread-visibility').selectOption('delegation');
  await A.page.getByTestId('thread-submit').click();
  await thread(A.page, 'Brazil only.').waitFor({ timeout: E2E_TIMEOUT });
  // A group thread on the first paragraph.
  await A.page.locator(para(0)).click();
  await A.page.getByTestId('new-thread').click();
  await A.page.getByTestId('thread-body').fill('On alpha.');
  await A.page.getByTestId('thread-submit').click();
  const alphaB = thread(B.page, 'On alpha.');
  await alphaB.waitFor({ timeout: E2E_TIMEOUT });
  await thread(C.page, 'On alpha.').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await thread(B.page, 'Brazil only.').count(), 0);
  assert.equal(await thread(C.page, 'Brazil only.').count(), 0);
  // The chair offers no delegation threads; an expert does.
  await C.page.locator(para(0)).click();
  await C.page.getByTestId('new-thread').click();
  assert.deepEqual(
    await C.page
      .locator('[data-testid=thread-visibility] option')
      .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value)),
    ['group', 'chair'],
  );

  // B replies mentioning A: A's inbox counts it, and "Mentioning me" shows the thread.
  await waitForText(A.page, '[data-testid=inbox-count]', 'Inbox 0');
  const replyB = alphaB.getByTestId('reply-body');
  await replyB.click();
  await replyB.pressSequentially('@an');
  await waitForText(B.page, '[data-testid=mention-option]', /^Ana Souza/);
  await replyB.press('Enter');
  await replyB.pressSequentially('please confirm.');
  assert.equal(await replyB.inputValue(), '@Ana Souza please confirm.');
  await alphaB.getByTestId('reply-send').click();
  await waitForText(A.page, '[data-testid=message-body]', '@Ana Souza please confirm.');
  await waitForText(A.page, '[data-testid=inbox-count]', /^Inbox [1-9]/);
  await A.page.getByTestId('thread-filter').selectOption('mentions');
  await thread(A.page, 'On alpha.').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await thread(A.page, 'Brazil only.').count(), 0);
  await A.page.getByTestId('thread-filter').selectOption('all');
  // The chair filters by State.
  await C.page.getByTestId('thread-filter').selectOption('state:Kenya');
  await thread(C.page, 'On alpha.').waitFor({ timeout: E2E_TIMEOUT });

  // A edits and deletes her own message; B sees both. B has no edit for A's message.
  const alphaId = await thread(A.page, 'On alpha.').getAttribute('data-thread-id');
  const alphaA = A.page.locator(`[data-thread-id="${alphaId}"]`);
  const first = alphaA.getByTestId('message').first();
  assert.equal(await alphaB.getByTestId('message').first().getByTestId('message-edit').count(), 0);
  await first.getByTestId('message-edit').click();
  await alphaA.getByTestId('message-edit-body').fill('On alpha, edited.');
  await alphaA.getByTestId('message-edit-save').click();
  const alphaB2 = thread(B.page, 'please confirm.');
  await waitForText(B.page, '[data-testid=message-body]', 'On alpha, edited.');
  await thread(A.page, 'please confirm.')
    .getByTestId('message')
    .first()
    .getByTestId('message-delete')
    .click();
  await waitForText(B.page, '[data-testid=message-body]', 'message deleted');

  // A resolves her thread; B (not the author, not the chair) cannot reopen it; the chair can.
  await thread(A.page, 'please confirm.').getByTestId('thread-resolve').click();
  await alphaB2.getByTestId('thread-resolved').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await alphaB2.getByTestId('thread-reopen').count(), 0);
  await B.page
    .locator(para(0))
    .locator('[data-testid=comment-badge]')
    .waitFor({ state: 'detached' });
  const alphaC = thread(C.page, 'please confirm.');
  await alphaC.getByTestId('thread-reopen').click();
  await thread(A.page, 'please confirm.')
    .getByTestId('thread-resolve')
    .waitFor({ timeout: E2E_TIMEOUT });
  await B.page
    .locator(para(0))
    .locator('[data-testid=comment-badge]')
    .waitFor({ timeout: E2E_TIMEOUT });

  // The second paragraph goes (joined into the first): its thread says so and keeps its quote.
  await A.page.locator(para(1)).click();
  await A.page.keyboard.press('Home');
  // ProseMirror reads the moved DOM selection on selectionchange: let it.
  await new Promise((resolve) => setTimeout(resolve, 150));
  await A.page.keyboard.press('Backspace');
  await waitForParagraph(A.page, 0, 'Alpha text.Beta text.');
  const gone = thread(A.page, 'Brazil only.');
  await waitForText(A.page, '[data-testid=thread-label]', 'paragraph deleted');
  assert.equal(await gone.getByTestId('thread-label').textContent(), 'paragraph deleted');
  assert.equal(await gone.getByTestId('thread-quote').textContent(), 'Beta text.');

  A.problems.assertNone('expert A');
  B.problems.assertNone('expert B');
  C.problems.assertNone('chair');
});
