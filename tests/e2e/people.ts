/**
 * Helpers for end-to-end tests of the browser client: a person opening Concord (signed in with a
 * session cookie, or through the login form), and what the server holds.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror';
import * as Y from 'yjs';
import { REPORT_FRAGMENT, schema } from '../../shared/schema.js';
import { launchBrowser, type PageProblems, watchPage } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Generous: the machine is small and runs suites one after another. */
export const E2E_TIMEOUT = 20_000;

/** Wide enough for the text, the margin and the side panel side by side. */
export const VIEWPORT = { width: 1400, height: 900 };

/**
 * A locator for the n-th paragraph (0-based) of the report's chapters (the body: front matter
 * and annexes, which the GGE template also has, are left out so indexes stay those of the body).
 */
export const para = (n: number) => `.ProseMirror .chapter .para >> nth=${n}`;

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
  /** The account's display name: the header must show it once the page is open. */
  name: string;
  /** A session cookie (`name=value`, as the server helper gives it) to open the page signed in. */
  cookie?: string;
  /** Or log in through the login form with these. */
  login?: { email: string; password: string };
  viewport?: { width: number; height: number };
}

/** A new browser context (own cookies, own focus) whose pages get the strict CSP. */
export async function newPerson(
  browser: Browser,
  options: { cookie?: string; url?: string; viewport?: { width: number; height: number } } = {},
): Promise<Person> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 900, height: 700 },
  });
  if (options.cookie) {
    if (!options.url) throw new Error('newPerson: a cookie needs the url it is for');
    const eq = options.cookie.indexOf('=');
    await context.addCookies([
      { name: options.cookie.slice(0, eq), value: options.cookie.slice(eq + 1), url: options.url },
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
  return { context, page, problems };
}

/** Fills and submits the login form of a page that shows it. */
export async function logInThroughForm(page: Page, email: string, password: string) {
  await page.getByTestId('login-form').waitFor({ timeout: E2E_TIMEOUT });
  await page.locator('#login-email').fill(email);
  await page.locator('#login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/**
 * Opens `url` as a person, signed in with a cookie or through the login form (the app asks for
 * it and then comes back to `url`), waits for the report text when `url` is a report, and checks
 * that the header names the account.
 */
export async function openAs(browser: Browser, url: string, options: OpenOptions): Promise<Person> {
  const person = await newPerson(browser, {
    ...(options.cookie ? { cookie: options.cookie } : {}),
    url,
    ...(options.viewport ? { viewport: options.viewport } : {}),
  });
  const { page } = person;
  await page.goto(url);
  if (options.login) await logInThroughForm(page, options.login.email, options.login.password);
  if (url.includes('#/r/')) {
    await page.locator('.ProseMirror .para').first().waitFor({ timeout: E2E_TIMEOUT });
  }
  await waitForText(page, '[data-testid=account-name]', options.name);
  return person;
}

/** The text of every chapter paragraph of a report as the server holds it (its storage). */
export async function serverParagraphs(server: TestServer, reportId: string): Promise<string[]> {
  const stored = await server.app.storage.loadDocument(reportId);
  if (!stored) throw new Error(`no stored document for ${reportId}`);
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.update);
  for (const update of stored.updates) Y.applyUpdate(doc, update);
  const root = yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment(REPORT_FRAGMENT), schema);
  // The chapters' paragraphs, as PARAGRAPH_TEXTS reads them on the page.
  const out: string[] = [];
  root.forEach((part) => {
    if (part.type.name !== 'chapter') return;
    part.descendants((node) => {
      if (node.type.name === 'paragraph') out.push(node.textContent);
      return node.type.name !== 'paragraph';
    });
  });
  doc.destroy();
  return out;
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
 * Waits for another person's caret label reading `text`. Present, not necessarily visible: a
 * label fades a few seconds after its person stops (client/src/styles.css, remote-caret-idle).
 */
export async function waitForCaretLabel(page: Page, text: string, timeout = E2E_TIMEOUT) {
  const pattern = new RegExp(`^${escapeRegExp(text)}$`);
  await page
    .locator('.ProseMirror .remote-caret-label', { hasText: pattern })
    .first()
    .waitFor({ state: 'attached', timeout });
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
const PARAGRAPH_TEXTS = `[...document.querySelectorAll('.ProseMirror .chapter .para')].map((p) => {
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

/** The built client the server serves; browser tests need it. */
export const CLIENT_INDEX = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../dist/client/index.html',
);

/**
 * What every browser test starts with: a real server (seeded with a group and its chair) and
 * Chromium, closed in that order after the test (browser first, so its sockets are gone before
 * the server shuts down).
 */
export async function startBrowserTest(
  t: TestContext,
  options?: Parameters<typeof startTestServer>[0],
): Promise<{ server: TestServer; browser: Browser }> {
  assert.ok(
    fs.existsSync(CLIENT_INDEX),
    `${CLIENT_INDEX} is missing: build the client first (npm run build:client)`,
  );
  const server = await startTestServer(options);
  const browser = await launchBrowser().catch(async (error: unknown) => {
    await server.close();
    throw error;
  });
  t.after(async () => {
    await browser.close();
    await server.close();
  });
  return { server, browser };
}
