/**
 * Pictures of consensus tracking: the chair's editor (statuses in the margin, brackets, a locked
 * paragraph, a running silence, the paragraph card) and the consensus board, and the matrix.
 *
 *   npm run build:client && node --import tsx tests/e2e/consensus-screenshot.ts [out-dir]
 *   (default out-dir: /tmp/concord-consensus-shots)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GGE_REPORT_TITLE } from '../../shared/templates.js';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestUser } from '../helpers/server.js';
import { E2E_TIMEOUT, openAs, para, VIEWPORT, waitForParagraph, waitForText } from './people.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.resolve(process.argv[2] ?? '/tmp/concord-consensus-shots');

const CHAPTERS: string[][] = [
  [
    'The General Assembly, in its resolution 68/243, requested the Secretary-General to establish a group of governmental experts in 2014.',
    'The Group held four sessions: in New York and in Geneva.',
    'The Group adopted the present report by consensus.',
  ],
  [
    'A number of States are developing ICT capabilities for military purposes; the use of ICTs in future conflicts between States is becoming more likely.',
    'The Group notes [with concern] the increasing use of ICTs by non-State actors [, including terrorists,] for criminal purposes.',
    'Harmful hidden functions in ICT products may be used in ways that undermine trust in products and services.',
  ],
  [
    'Voluntary, non-binding norms of responsible State behaviour can reduce risks to international peace, security and stability.',
    'States should not conduct or knowingly support ICT activity contrary to their obligations under international law.',
    'States should consider how best to cooperate to exchange information [, assist each other [and prosecute]] terrorist and criminal use of ICTs.',
  ],
];

if (!fs.existsSync(path.join(root, 'dist/client/index.html'))) {
  throw new Error('dist/client is missing: run `npm run build:client` first');
}

const server = await startTestServer();
const browser = await launchBrowser();
try {
  const report = await server.createReport(GGE_REPORT_TITLE, 'gge-report');
  const experts: Record<string, TestUser> = {};
  for (const [state, name] of [
    ['Brazil', 'Ana Souza'],
    ['France', 'Claire Martin'],
    ['Kenya', 'Wanjiru Kamau'],
    ['Japan', 'Haruto Sato'],
  ] as const) {
    experts[state] = await server.addUser('expert', state, name);
  }
  const url = `${server.baseUrl}/#/r/${report.id}`;
  const C = await openAs(browser, url, {
    name: 'The Chair',
    cookie: server.chair.cookie,
    viewport: VIEWPORT,
  });
  let index = 0;
  for (const texts of CHAPTERS) {
    await C.page.locator(para(index)).click();
    for (let i = 0; i < texts.length; i++) {
      if (i > 0) await C.page.keyboard.press('Enter');
      await C.page.keyboard.type(texts[i]!);
    }
    await waitForParagraph(C.page, index + texts.length - 1, texts.at(-1)!);
    index += texts.length;
  }
  await waitForText(C.page, '[data-testid=save-state]', 'Saved');
  const ids = (await C.page
    .locator('.ProseMirror .chapter .para')
    .evaluateAll((ps) => ps.map((p) => p.getAttribute('data-id')))) as string[];

  const call = async (
    method: string,
    url: string,
    body: unknown,
    as: TestUser = server.chair,
  ): Promise<void> => {
    const res = await server.request(method, url, { as, body });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  };
  const status = (i: number, s: string, note?: string) =>
    call('POST', `/api/reports/${report.id}/paragraphs/${ids[i]}/status`, {
      status: s,
      ...(note ? { note } : {}),
    });
  const position = (i: number, state: string, p: string, explanation?: string) =>
    call(
      'POST',
      `/api/reports/${report.id}/paragraphs/${ids[i]}/position`,
      { position: p, ...(explanation ? { explanation } : {}) },
      experts[state],
    );
  await status(0, 'agreed');
  await status(1, 'agreed');
  await status(2, 'agreed_ad_ref', 'Pending confirmation from capitals.');
  await status(3, 'under_discussion');
  await status(5, 'deferred');
  await status(6, 'agreed');
  await status(7, 'under_discussion');
  for (const s of ['Brazil', 'France', 'Kenya', 'Japan']) await position(6, s, 'can_accept');
  await position(4, 'Brazil', 'cannot_accept', 'Non-State actors are outside the mandate.');
  await position(4, 'France', 'can_accept');
  await position(4, 'Kenya', 'reservation', 'Prefers "including terrorists".');
  await position(7, 'Japan', 'consulting_capital');
  await position(7, 'France', 'can_accept');
  await position(3, 'Kenya', 'can_accept');
  await position(3, 'France', 'can_accept');
  await call('POST', `/api/reports/${report.id}/silences`, {
    paragraphIds: [ids[7]],
    deadline: new Date(Date.now() + 71 * 3600_000 + 23 * 60_000).toISOString(),
    timeZone: 'America/New_York',
  });

  // The editor: the chair's card on paragraph 5 (bracketed, with positions).
  await C.page.reload();
  await C.page.locator(para(7)).waitFor({ timeout: E2E_TIMEOUT });
  await C.page.locator('[data-testid=silence-item]').waitFor({ timeout: E2E_TIMEOUT });
  await C.page.locator(para(4)).click();
  await waitForText(C.page, '[data-testid=consensus-paragraph]', 'Paragraph 5');
  await C.page.mouse.move(0, 0);
  fs.mkdirSync(outDir, { recursive: true });
  const editorShot = path.join(outDir, 'consensus-editor.png');
  await C.page.screenshot({ path: editorShot });

  // The board and the matrix.
  await C.page.goto(`${url}/board`);
  await C.page.getByTestId('open-table').waitFor({ timeout: E2E_TIMEOUT });
  const boardShot = path.join(outDir, 'consensus-board.png');
  await C.page.screenshot({ path: boardShot, fullPage: true });
  await C.page.goto(`${url}/matrix`);
  await C.page.getByTestId('matrix-table').waitFor({ timeout: E2E_TIMEOUT });
  const matrixShot = path.join(outDir, 'consensus-matrix.png');
  await C.page.screenshot({ path: matrixShot, fullPage: true });
  C.problems.assertNone('chair');
  for (const p of [editorShot, boardShot, matrixShot]) {
    console.log(`wrote ${path.relative(process.cwd(), p)}`);
  }
} finally {
  await browser.close();
  await server.close();
}
