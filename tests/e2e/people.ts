/** Helpers for end-to-end tests of the browser client: a person opening a report. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type PageProblems, watchPage } from '../helpers/browser.js';

/** Generous: the machine is small and runs suites one after another. */
export const E2E_TIMEOUT = 20_000;

/**
 * The Content-Security-Policy the client must live with (no 'unsafe-inline' anywhere). Tests add
 * it to every page response, so an inline script or a style attribute shows up as a console
 * error and fails the test.
 */
export const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface Person {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
}

export interface OpenOptions {
  /** The display name: typed into the header field for a guest, checked for an account. */
  name: string;
  /** A session cookie (`name=value`, as the server helper gives it) to open the page signed in. */
  cookie?: string;
  viewport?: { width: number; height: number };
}

/**
 * A new browser context (own storage, own focus) that opens `url` under the strict CSP, signed
 * in when given a cookie, with `name` as the display name, and waits for the report text.
 */
export async function openAs(browser: Browser, url: string, options: OpenOptions): Promise<Person> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 900, height: 700 },
  });
  if (options.cookie) {
    const eq = options.cookie.indexOf('=');
    await context.addCookies([
      { name: options.cookie.slice(0, eq), value: options.cookie.slice(eq + 1), url },
    ]);
  }
  await context.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch();
    await route.fulfill({
      response,
      headers: { ...response.headers(), 'content-security-policy': STRICT_CSP },
    });
  });
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(url);
  await page.locator('.ProseMirror .para').first().waitFor({ timeout: E2E_TIMEOUT });
  const nameField = page.getByTestId('user-name');
  if (options.cookie) {
    // Signed in: the field shows the account's name, read-only.
    await pollPage(
      page,
      `document.querySelector('[data-testid=user-name]').value`,
      (value) => value === options.name,
      `the name field to show ${options.name}`,
    );
  } else {
    await nameField.fill(options.name);
  }
  return { context, page, problems };
}

/** Waits until some element matching `selector` has exactly `text` (or matches the RegExp). */
export async function waitForText(
  page: Page,
  selector: string,
  text: string | RegExp,
  timeout = E2E_TIMEOUT,
): Promise<void> {
  const pattern = typeof text === 'string' ? new RegExp(`^${escapeRegExp(text)}$`) : text;
  await page.locator(selector, { hasText: pattern }).first().waitFor({ timeout });
}

/**
 * Evaluates `expression` in the page until `accept` takes its value, or fails after `timeout`
 * with the last value in the message. (Not page.waitForFunction: its polling evaluates strings
 * with eval inside the page, which the strict CSP forbids.)
 */
export async function pollPage(
  page: Page,
  expression: string,
  accept: (value: unknown) => boolean,
  what: string,
  timeout = E2E_TIMEOUT,
): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    last = await page.evaluate(expression);
    if (accept(last)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeout} ms waiting for ${what}; last: ${JSON.stringify(last)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The text of every paragraph of the report, in order, without other people's carets (their
 * name labels are widgets inside the paragraph's DOM).
 */
const PARAGRAPH_TEXTS = `[...document.querySelectorAll('.ProseMirror .para')].map((p) => {
  const copy = p.cloneNode(true);
  for (const caret of copy.querySelectorAll('.remote-caret')) caret.remove();
  return copy.textContent;
})`;

export async function paragraphTexts(page: Page): Promise<string[]> {
  return (await page.evaluate(PARAGRAPH_TEXTS)) as string[];
}

/** Waits until paragraph `index` (0-based, document order) reads exactly `text`. */
export async function waitForParagraph(
  page: Page,
  index: number,
  text: string,
  timeout = E2E_TIMEOUT,
): Promise<void> {
  await pollPage(
    page,
    PARAGRAPH_TEXTS,
    (texts) => (texts as string[])[index] === text,
    `paragraph ${index} to read ${JSON.stringify(text)}`,
    timeout,
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
