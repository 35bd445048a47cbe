/**
 * The README picture: two logged-in experts editing the same report, side by side (two 800×600
 * pages in two browser contexts, each showing the other's named caret and State, and the header
 * with the account's role and State).
 *
 *   npm run build:client && node --import tsx tests/e2e/screenshot.ts [out.png]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { presenceColor } from '../../shared/presence.js';
import { GGE_REPORT_TITLE } from '../../shared/templates.js';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';
import { E2E_TIMEOUT, openAs, para, pollPage, waitForParagraph } from './people.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.resolve(
  process.argv[2] ?? path.join(root, 'client/assets/two-people-editing.png'),
);
const size = { width: 800, height: 600 };

if (!fs.existsSync(path.join(root, 'dist/client/index.html'))) {
  throw new Error('dist/client is missing: run `npm run build:client` first');
}

const server = await startTestServer();
const browser = await launchBrowser();
try {
  const report = await server.createReport(GGE_REPORT_TITLE, 'gge-report');
  // Colours come from the (random) user ids: keep trying until the picture gets the same two
  // clearly different colours every time (blue and red, else any two different ones).
  const expertWith = async (represents: string, name: string, color: string, avoid?: string) => {
    let user = await server.addUser('expert', represents, name);
    for (let i = 0; i < 60 && presenceColor(user.id) !== color; i++) {
      user = await server.addUser('expert', represents, name);
    }
    while (presenceColor(user.id) === avoid)
      user = await server.addUser('expert', represents, name);
    return user;
  };
  const expertA = await expertWith('Brazil', 'Ana Souza', '#1f77b4');
  const expertB = await expertWith('Kenya', 'Wanjiru Kamau', '#d62728', presenceColor(expertA.id));
  const url = `${server.baseUrl}/#/r/${report.id}`;
  const a = await openAs(browser, url, {
    name: 'Ana Souza',
    cookie: expertA.cookie,
    viewport: size,
  });
  const b = await openAs(browser, url, {
    name: 'Wanjiru Kamau',
    cookie: expertB.cookie,
    viewport: size,
  });

  // A drafts the introduction.
  const intro1 =
    'The Group of Governmental Experts was established pursuant to paragraph 4 of General ' +
    'Assembly resolution 68/243. It held four sessions, in New York and Geneva.';
  const intro2 = 'The Group adopted the present report by consensus.';
  await a.page.locator(para(0)).click();
  await a.page.keyboard.type(intro1);
  await a.page.keyboard.press('Enter');
  await a.page.keyboard.type(intro2);

  // B drafts chapter II, with two lettered sub-paragraphs.
  await waitForParagraph(b.page, 1, intro2);
  await b.page.locator(para(2)).click();
  await b.page.keyboard.type('The Group notes a number of existing and emerging threats:');
  await b.page.keyboard.press('Enter');
  await b.page.keyboard.press('Tab');
  await b.page.keyboard.type('The use of ICTs for terrorist purposes;');
  await b.page.keyboard.press('Enter');
  await b.page.keyboard.type('Harmful hidden functions in ICT products');
  // B selects a few words: A sees the selection in B's colour.
  for (let i = 0; i < 'hidden functions'.length; i++) {
    await b.page.keyboard.press('Shift+ArrowLeft');
  }
  await b.page.keyboard.press('Home');
  await b.page.keyboard.press('End');
  for (let i = 0; i < ' in ICT products'.length; i++) await b.page.keyboard.press('ArrowLeft');
  for (let i = 0; i < 'hidden functions'.length; i++) {
    await b.page.keyboard.press('Shift+ArrowLeft');
  }

  // Wait until each sees the other's text and caret, and both are saved.
  await waitForParagraph(a.page, 4, 'Harmful hidden functions in ICT products');
  for (const [page, other] of [
    [a.page, 'Wanjiru Kamau · Kenya'],
    [b.page, 'Ana Souza · Brazil'],
  ] as const) {
    await page
      .locator('.ProseMirror .remote-caret-label', { hasText: other })
      // Attached, not visible: an idle person's label fades (only their caret stays).
      .waitFor({ state: 'attached', timeout: E2E_TIMEOUT });
    await page.locator('[data-testid=account-role]', { hasText: 'Expert' }).waitFor();
    await page
      .locator('[data-testid=save-state]', { hasText: /^Saved$/ })
      .waitFor({ timeout: E2E_TIMEOUT });
  }

  // A shows B's final selection (presence updates are throttled, so the last one comes last).
  await pollPage(
    a.page,
    `[...document.querySelectorAll('.ProseMirror .remote-selection')].map((e) => e.textContent).join('')`,
    (text) => text === 'hidden functions',
    "page A to show B's selection",
  );

  const shots = [await a.page.screenshot(), await b.page.screenshot()];
  a.problems.assertNone('page A');
  b.problems.assertNone('page B');

  // Compose side by side in a blank page (no image library needed).
  const composer = await browser.newPage({
    viewport: { width: size.width * 2 + 1, height: size.height },
  });
  await composer.setContent(
    '<body style="margin:0;display:flex;background:#9aa5b1;gap:1px">' +
      shots.map((s) => `<img src="data:image/png;base64,${s.toString('base64')}">`).join('') +
      '</body>',
  );
  await composer.waitForFunction('[...document.images].every((i) => i.complete)');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  await composer.screenshot({ path: out });
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
} finally {
  await browser.close();
  await server.close();
}
