/**
 * Chromium for end-to-end tests (playwright-core driving the system's /usr/bin/chromium), and a
 * watcher that records console errors and uncaught page errors so a test can assert there were
 * none.
 */
import fs from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env['CONCORD_CHROMIUM'] ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium. Each launch gets a fresh, empty profile: Playwright creates a new
 * temporary user-data dir for every non-persistent launch and deletes it on close (it refuses a
 * `--user-data-dir` argument, which belongs to launchPersistentContext).
 */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install chromium\` ` +
        '(or set CONCORD_CHROMIUM to its path).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Tests fulfil page responses themselves (to add a strict CSP); such a response has no
      // IP address, so Chromium's Local Network Access checks would treat the page as public
      // and block its requests and websockets to 127.0.0.1.
      '--disable-features=LocalNetworkAccessChecks',
    ],
  });
}

export interface PageProblems {
  /** Console messages of level error, and uncaught exceptions, as text. */
  readonly errors: string[];
  /** Console warnings (not failures, but useful in a failure message). */
  readonly warnings: string[];
  /**
   * HTTP error answers the browser logged ("Failed to load resource: … status of 401"), as
   * "<status> <path>". Kept apart from `errors`: some are the API's normal answers.
   */
  readonly httpErrors: string[];
  /**
   * Throws when any error was recorded. HTTP error answers count too, except those matching
   * `allowHttp` (default: `401 /api/me`, which is how a page learns that nobody is logged in).
   */
  assertNone(label?: string, options?: { allowHttp?: readonly RegExp[] }): void;
}

/** The API's way of saying "nobody is logged in": expected on every page opened logged out. */
export const LOGGED_OUT_PROBE = /^401 \/api\/me$/;

const FAILED_RESOURCE = /^Failed to load resource: the server responded with a status of (\d{3})/;

/** Starts recording a page's console errors and page errors (call before navigating). */
export function watchPage(page: Page): PageProblems {
  const errors: string[] = [];
  const warnings: string[] = [];
  const httpErrors: string[] = [];
  page.on('console', (message) => {
    const where = message.location();
    const text = `${message.text()}${where.url ? ` (${where.url}:${where.lineNumber})` : ''}`;
    const failed = FAILED_RESOURCE.exec(message.text());
    if (message.type() === 'error' && failed && where.url) {
      const url = new URL(where.url);
      httpErrors.push(`${failed[1]} ${url.pathname}`);
    } else if (message.type() === 'error') errors.push(text);
    else if (message.type() === 'warning') warnings.push(text);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.stack ?? error.message}`));
  page.on('crash', () => errors.push('page crashed'));
  return {
    errors,
    warnings,
    httpErrors,
    assertNone(label = 'page', options = {}) {
      const allow = options.allowHttp ?? [LOGGED_OUT_PROBE];
      const problems = [
        ...errors,
        ...httpErrors
          .filter((e) => !allow.some((re) => re.test(e)))
          .map((e) => `HTTP ${e} (logged by the browser)`),
      ];
      if (problems.length > 0) {
        throw new Error(`${label} logged errors:\n  ${problems.join('\n  ')}`);
      }
    },
  };
}
