/**
 * A thread follows its paragraph through edits made in the real editor: split (Enter in its
 * middle) and merge back, deleting the paragraph before it (its number drops by one), cut and
 * paste into another chapter, deleting it ("paragraph deleted" with its quote) and undo
 * (reattached with its number). A second expert's page shows the badge where the paragraph is.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/comments-anchoring.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  E2E_TIMEOUT,
  openAs,
  para,
  paragraphTexts,
  pollPage,
  startBrowserTest,
  VIEWPORT,
  waitForParagraph,
} from './people.js';

const TEXTS = [
  'The Group met in four sessions.',
  'It considered existing and potential threats.',
  'Delegations exchanged views on capacity-building.',
  'States should cooperate on critical infrastructure norms.',
  'The report was adopted by consensus.',
];
const TARGET = 3;
const QUOTE = 'infrastructure';

/** Index (document order) of the paragraph holding the comment badge, or -1. */
async function badgeIndex(page: Page): Promise<number> {
  return (await page.evaluate(
    `[...document.querySelectorAll('.ProseMirror .chapter .para')].findIndex((p) => p.querySelector('[data-testid=comment-badge]'))`,
  )) as number;
}

async function label(page: Page): Promise<string> {
  return ((await page.getByTestId('thread-label').textContent()) ?? '').trim();
}

async function waitForLabel(page: Page, expected: string): Promise<void> {
  await pollPage(
    page,
    `document.querySelector('[data-testid=thread-label]')?.textContent?.trim()`,
    (v) => v === expected,
    `the thread label to read ${JSON.stringify(expected)}`,
  );
}

async function waitForBadgeAt(page: Page, index: number): Promise<void> {
  const deadline = Date.now() + E2E_TIMEOUT;
  let at = await badgeIndex(page);
  while (at !== index && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    at = await badgeIndex(page);
  }
  assert.equal(at, index, 'the badge is on the paragraph');
}

/**
 * Sets the DOM selection from character `fromOffset` of paragraph `from` to `toOffset` of
 * paragraph `to` (offsets in the paragraph's own text, -1 for its end); ProseMirror reads it.
 */
async function select(
  page: Page,
  from: number,
  fromOffset: number,
  to = from,
  toOffset = fromOffset,
): Promise<void> {
  await page.locator(para(from)).click();
  // A string, not a function: tsx would wrap named functions in a helper the page lacks.
  await page.evaluate(`(() => {
    const paras = [...document.querySelectorAll('.ProseMirror .chapter .para')];
    function point(index, offset) {
      const p = paras[index];
      const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT, {
        acceptNode: (n) =>
          n.parentElement.closest('[contenteditable=false]')
            ? NodeFilter.FILTER_REJECT
            : NodeFilter.FILTER_ACCEPT,
      });
      const texts = [];
      for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n);
      if (texts.length === 0) return [p, 0];
      let left = offset < 0 ? Infinity : offset;
      for (const t of texts) {
        if (left <= t.length) return [t, left];
        left -= t.length;
      }
      const last = texts[texts.length - 1];
      return [last, last.length];
    }
    const [an, ao] = point(${from}, ${fromOffset});
    const [fn, fo] = point(${to}, ${toOffset});
    document.getSelection().setBaseAndExtent(an, ao, fn, fo);
  })()`);
  await new Promise((r) => setTimeout(r, 100));
}

const HIGHLIGHTS = `[...document.querySelectorAll('.ProseMirror .chapter .para')].flatMap((p, i) =>
  [...p.querySelectorAll('.comment-quote-highlight')].map((h) => [i, h.textContent]))`;

/** Waits until the only quote highlight reads `quote` in paragraph `index` (none: `index` -1). */
async function waitForHighlight(page: Page, quote: string, index: number): Promise<void> {
  await pollPage(
    page,
    HIGHLIGHTS,
    (v) => {
      const marks = v as [number, string][];
      return index < 0
        ? marks.length === 0
        : marks.length === 1 && marks[0]![0] === index && marks[0]![1] === quote;
    },
    index < 0 ? 'no quote highlight' : `the quote highlighted in paragraph ${index}`,
  );
}

async function citeOf(page: Page, index: number): Promise<string> {
  const cite = await page.locator(para(index)).getAttribute('data-cite');
  assert.ok(cite, `paragraph ${index} has a number`);
  return cite;
}

test('a thread follows its paragraph (split, merge, delete before, cut and paste, delete, undo); its quote is highlighted while it occurs', {
  timeout: 180_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  const report = await server.createReport('Zero draft: anchoring', 'gge-report');
  const a = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const b = await server.addUser('expert', 'Kenya', 'Wanjiru Kamau');
  const url = `${server.baseUrl}/#/r/${report.id}`;
  const A = await openAs(browser, url, { name: 'Ana Souza', cookie: a.cookie, viewport: VIEWPORT });
  const page = A.page;

  // Chapter I gets five paragraphs; the other six chapters keep one empty paragraph each.
  await page.locator(para(0)).click();
  for (const [i, text] of TEXTS.entries()) {
    if (i > 0) await page.keyboard.press('Enter');
    await page.keyboard.type(text);
  }
  await waitForParagraph(page, TARGET, TEXTS[TARGET]!);
  const total = (await paragraphTexts(page)).length;

  // A comments on the 4th paragraph, quoting a word of it.
  const quoteAt = TEXTS[TARGET]!.indexOf(QUOTE);
  await select(page, TARGET, quoteAt, TARGET, quoteAt + QUOTE.length);
  await pollPage(
    page,
    'window.getSelection().toString()',
    (v) => v === QUOTE,
    'the quote to be selected',
  );
  const cite = await citeOf(page, TARGET);
  await page.getByTestId('new-thread').click();
  await page.getByTestId('thread-body').fill('Which norms?');
  await page.getByTestId('thread-submit').click();
  await page.getByTestId('thread').waitFor({ timeout: E2E_TIMEOUT });
  await waitForLabel(page, `Paragraph ${cite}`);
  await waitForBadgeAt(page, TARGET);
  assert.equal(await page.getByTestId('thread-quote').textContent(), QUOTE);
  await waitForHighlight(page, QUOTE, TARGET);

  const B = await openAs(browser, url, {
    name: 'Wanjiru Kamau',
    cookie: b.cookie,
    viewport: VIEWPORT,
  });
  await waitForBadgeAt(B.page, TARGET);

  // (a) Split in the middle: the thread stays on the first half, label unchanged.
  await select(page, TARGET, 'States should '.length);
  await page.keyboard.press('Enter');
  await pollPage(
    page,
    `[...document.querySelectorAll('.ProseMirror .chapter .para')].map((p) => p.textContent)`,
    (v) => {
      const texts = v as string[];
      return texts[TARGET] === 'States should ' && texts[TARGET + 1] === TEXTS[TARGET]!.slice(14);
    },
    'the paragraph to be split in two',
  );
  await waitForBadgeAt(page, TARGET);
  await waitForLabel(page, `Paragraph ${cite}`);
  await waitForBadgeAt(B.page, TARGET);

  // (b) Merge back (Backspace at the start of the second half): still attached.
  await page.keyboard.press('Backspace');
  await waitForParagraph(page, TARGET, TEXTS[TARGET]!);
  await waitForBadgeAt(page, TARGET);
  await waitForLabel(page, `Paragraph ${cite}`);

  // (c) Delete the paragraph before it: its number drops by one, the badge moves with it.
  await select(page, TARGET - 1, 0, TARGET - 1, -1);
  await page.keyboard.press('Backspace');
  await waitForParagraph(page, TARGET - 1, '');
  await page.keyboard.press('Backspace');
  await waitForParagraph(page, TARGET - 1, TEXTS[TARGET]!);
  const moved = TARGET - 1;
  const citeAfterDelete = await citeOf(page, moved);
  assert.equal(Number(citeAfterDelete), Number(cite) - 1, 'the number drops by one');
  await waitForLabel(page, `Paragraph ${citeAfterDelete}`);
  await waitForBadgeAt(page, moved);
  await waitForBadgeAt(B.page, moved);

  // (d) Cut it (from the end of the paragraph before to its end) and paste it into the last
  // chapter's empty paragraph: the thread follows.
  await select(page, moved - 1, -1, moved, -1);
  await page.keyboard.press('Control+x');
  await pollPage(
    page,
    `[...document.querySelectorAll('.ProseMirror .chapter .para')].map((p) => p.textContent)`,
    (v) => !(v as string[]).includes(TEXTS[TARGET]!),
    'the paragraph to be cut',
  );
  const last = (await paragraphTexts(page)).length - 1;
  await select(page, last, 0);
  await page.keyboard.press('Control+v');
  await pollPage(
    page,
    `[...document.querySelectorAll('.ProseMirror .chapter .para')].map((p) => p.textContent)`,
    (v) => (v as string[]).includes(TEXTS[TARGET]!),
    'the paragraph to be pasted',
  );
  const pastedAt = (await paragraphTexts(page)).indexOf(TEXTS[TARGET]!);
  assert.ok(pastedAt > moved + 2, `pasted in another chapter (at ${pastedAt} of ${total})`);
  const citeAfterMove = await citeOf(page, pastedAt);
  await waitForBadgeAt(page, pastedAt);
  await waitForLabel(page, `Paragraph ${citeAfterMove}`);
  await waitForBadgeAt(B.page, pastedAt);

  // (e) Delete it: "paragraph deleted", the quote still shown.
  // Selected from the end of the (empty) paragraph before it to its end. (Emptying it and then
  // pressing Backspace is step (g).)
  await select(page, pastedAt - 1, -1, pastedAt, -1);
  await page.keyboard.press('Backspace');
  await pollPage(
    page,
    `document.querySelectorAll('.ProseMirror .chapter .para').length`,
    (v) => v === pastedAt,
    'the paragraph to be deleted',
  );
  await waitForLabel(page, 'paragraph deleted');
  assert.equal(await badgeIndex(page), -1, 'no badge');
  assert.equal(await page.getByTestId('thread-quote').textContent(), QUOTE);
  await waitForLabel(B.page, 'paragraph deleted');

  // (f) Undo: the paragraph is back with its id, the thread reattached with its number.
  await page.keyboard.press('Control+z');
  await pollPage(
    page,
    `[...document.querySelectorAll('.ProseMirror .chapter .para')].map((p) => p.textContent)`,
    (v) => (v as string[]).includes(TEXTS[TARGET]!),
    'the paragraph to be restored',
  );
  const restoredAt = (await paragraphTexts(page)).indexOf(TEXTS[TARGET]!);
  await waitForBadgeAt(page, restoredAt);
  await waitForLabel(page, `Paragraph ${await citeOf(page, restoredAt)}`);
  // B's page gets the undo a moment later: wait for it rather than read it at once.
  await waitForLabel(B.page, await label(page));
  await waitForBadgeAt(B.page, restoredAt);
  await waitForHighlight(page, QUOTE, restoredAt);
  assert.equal(await page.getByTestId('quote-gone').count(), 0);

  // The quoted word is edited away: no highlight, and the thread says so.
  const at = TEXTS[TARGET]!.indexOf(QUOTE);
  await select(page, restoredAt, at, restoredAt, at + QUOTE.length);
  await page.keyboard.type('energy');
  await waitForParagraph(page, restoredAt, TEXTS[TARGET]!.replace(QUOTE, 'energy'));
  await waitForHighlight(page, QUOTE, -1);
  await page.getByTestId('quote-gone').waitFor({ timeout: E2E_TIMEOUT });
  assert.equal(await page.getByTestId('quote-gone').textContent(), '(no longer in the text)');
  assert.equal(await page.getByTestId('thread-quote').textContent(), QUOTE);
  await B.page.getByTestId('quote-gone').waitFor({ timeout: E2E_TIMEOUT });
  await waitForHighlight(B.page, QUOTE, -1);

  // (g) Emptied, then Backspace after the empty paragraph before it: the emptied paragraph is
  // the one that goes (shared/paragraphIds.ts), so its thread says "paragraph deleted"; undo
  // brings it back, attached.
  const edited = TEXTS[TARGET]!.replace(QUOTE, 'energy');
  const texts = await paragraphTexts(page);
  assert.equal(texts[restoredAt - 1], '', 'an empty paragraph before it');
  await select(page, restoredAt, 0, restoredAt, -1);
  await page.keyboard.press('Backspace');
  await waitForParagraph(page, restoredAt, '');
  await page.keyboard.press('Backspace');
  await pollPage(
    page,
    `document.querySelectorAll('.ProseMirror .chapter .para').length`,
    (v) => v === texts.length - 1,
    'the emptied paragraph to go',
  );
  await waitForLabel(page, 'paragraph deleted');
  assert.equal(await badgeIndex(page), -1, 'no badge');
  await waitForLabel(B.page, 'paragraph deleted');
  // Undo: the removal and the emptying (one or two undo steps, depending on timing).
  await page.keyboard.press('Control+z');
  await pollPage(
    page,
    `document.querySelectorAll('.ProseMirror .chapter .para').length`,
    (v) => v === texts.length,
    'the paragraph to come back',
  );
  if ((await paragraphTexts(page))[restoredAt] !== edited) {
    await page.keyboard.press('Control+z');
    await waitForParagraph(page, restoredAt, edited);
  }
  await waitForBadgeAt(page, restoredAt);
  await waitForLabel(page, `Paragraph ${await citeOf(page, restoredAt)}`);
  await waitForBadgeAt(B.page, restoredAt);
});
