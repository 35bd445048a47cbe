/**
 * The README picture of the report page at 1440×900, as a delegate sees it after `npm run demo`:
 * the demo report (server/demo-report.ts) open as Brazil's expert with the Chair present, a
 * bracketed paragraph selected, its card (status, positions) and its threads in the side column,
 * and "@Ch" typed in a reply with the list of people to mention open.
 *
 *   npm run build:client && node --import tsx tests/e2e/demo-screenshot.ts [out.png]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testConfig } from '../../server/config.js';
import { seedDemo } from '../../server/demo.js';
import { openStorage } from '../../server/storage/open.js';
import { startBareServer } from '../helpers/auth.js';
import { launchBrowser } from '../helpers/browser.js';
import { login, tempDir } from '../helpers/server.js';
import { E2E_TIMEOUT, openAs, waitForText } from './people.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'client/assets/report-page.png'));
const viewport = { width: 1440, height: 900 };

if (!fs.existsSync(path.join(root, 'dist/client/index.html'))) {
  throw new Error('dist/client is missing: run `npm run build:client` first');
}

const dataDir = tempDir('concord-demo-shot-');
const storage = await openStorage(testConfig({ dataDir }));
await seedDemo(storage);
await storage.close();
const server = await startBareServer({ dataDir });
const browser = await launchBrowser();
try {
  const chairCookie = await login(server.baseUrl, 'chair@demo.example', 'concord-chair');
  const brazilCookie = await login(server.baseUrl, 'brazil@demo.example', 'concord-expert');
  const list = await fetch(`${server.baseUrl}/api/reports`, { headers: { cookie: chairCookie } });
  const { reports } = (await list.json()) as { reports: Array<{ id: string }> };
  const url = `${server.baseUrl}/#/r/${reports[0]!.id}`;
  const chair = await openAs(browser, url, {
    name: 'Chair (Ambassador Ortiz)',
    cookie: chairCookie,
    viewport,
  });
  const ana = await openAs(browser, url, { name: 'Ana Souza', cookie: brazilCookie, viewport });
  // The chair reads chapter III; Ana opens the bracketed threat paragraph (II, paragraph 4).
  await chair.page.getByText('Voluntary, non-binding norms').click();
  await ana.page.getByText('The most harmful attacks using ICTs').click();
  await waitForText(ana.page, '[data-testid=consensus-paragraph]', /^Paragraph 4/);
  const thread = ana.page.getByTestId('thread').filter({ hasText: 'Kenya can accept' });
  await thread.waitFor({ timeout: E2E_TIMEOUT });
  await ana.page
    .locator('.ProseMirror .remote-caret-label', { hasText: 'Ortiz' })
    .waitFor({ state: 'attached', timeout: E2E_TIMEOUT });
  const reply = thread.getByTestId('reply-body');
  await reply.click();
  await reply.pressSequentially('Thank you. @Ch');
  await ana.page.getByTestId('mention-option').first().waitFor({ timeout: E2E_TIMEOUT });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await ana.page.screenshot({ path: out });
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
  chair.problems.assertNone('chair');
  ana.problems.assertNone('ana');
} finally {
  await browser.close();
  await server.close();
}
