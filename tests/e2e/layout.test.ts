/**
 * The report page's layout at 1440 × 900 (issue 21, items 2, 3, 6, 7, 8): with five people
 * present the header stays one row, the title readable, the chips in distinct colours and the
 * "+1" chip reachable by keyboard; the side column gives the threads its whole height (no
 * scroll box inside it) and sits below the sticky header, as does the connection banner; another
 * person's caret label shows while they are active, fades when idle, and stays on the sheet.
 *
 *   npm run build:client && node --import tsx --test tests/e2e/layout.test.ts
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closeAll, connectSynced } from '../helpers/auth.js';
import { openThread, paragraphIds } from '../helpers/comments.js';
import { openAs, para, pollPage, startBrowserTest, waitForText } from './people.js';

const WIDE = { width: 1440, height: 900 };
const TITLE =
  'Report of the Group of Governmental Experts on Advancing Responsible State Behaviour';

type Rect = { top: number; bottom: number; left: number; right: number; height: number };
const rect = (selector: string) =>
  `(() => { const r = document.querySelector(${JSON.stringify(selector)})?.getBoundingClientRect(); return r ? { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height } : null; })()`;

test('five people in a report at 1440 px: one header row, distinct colours, room for threads', {
  timeout: 180_000,
}, async (t) => {
  const { server, browser } = await startBrowserTest(t);
  t.after(closeAll);
  const report = await server.createReport(TITLE, 'gge-report');
  const ids = await paragraphIds(server, report.id);
  const brazil = await server.addUser('expert', 'Brazil', 'Ana Souza');
  const others = [
    await server.addUser('expert', 'Kenya', 'Wanjiru Kamau'),
    await server.addUser('expert', 'France', 'Camille Martin'),
    await server.addUser('observer', 'European Union', 'Jonas Berg'),
  ];
  // Threads with long comments on the first paragraph.
  const long = 'The Group recalls the framework of responsible State behaviour. '.repeat(25);
  for (const who of [brazil, ...others.slice(0, 2)]) {
    await openThread(server, who, report.id, { paragraphId: ids[0]!, body: long });
  }

  const url = `${server.baseUrl}/#/r/${report.id}`;
  const chair = await openAs(browser, url, {
    name: server.chair.displayName,
    cookie: server.chair.cookie,
    viewport: WIDE,
  });
  const ana = await openAs(browser, url, {
    name: 'Ana Souza',
    cookie: brazil.cookie,
    viewport: WIDE,
  });
  for (const who of others) {
    const c = await connectSynced(server, who, report.id);
    c.provider.awareness.setLocalStateField('user', { name: who.displayName });
  }
  const page = chair.page;

  // Item 7: five people: four chips and "+1", the header one row, the title not cut short.
  await pollPage(
    page,
    `document.querySelectorAll('.presence-person').length`,
    (n) => n === 5,
    'five chips',
  );
  await waitForText(page, '[data-testid=presence-more]', '+1');
  const header = (await page.evaluate(rect('.app-header'))) as Rect;
  assert.ok(header.height < 64, `the header wraps: ${header.height} px high`);
  const title = (await page.evaluate(rect('[data-testid=report-title]'))) as Rect;
  assert.ok(title.right - title.left >= 240, `the title is cut to ${title.right - title.left} px`);
  const more = page.getByTestId('presence-more');
  await more.focus();
  assert.equal(await page.evaluate(`document.activeElement?.dataset.testid`), 'presence-more');
  await page.keyboard.press('Enter');
  await page.getByTestId('presence-more-list').waitFor({ state: 'visible' });
  assert.match(String(await more.getAttribute('aria-label')), /^1 more: /);

  // Item 3: everyone present has a colour of their own.
  const colours = (await page.evaluate(
    `[...document.querySelectorAll('.presence .presence-dot')].map((d) => getComputedStyle(d).backgroundColor)`,
  )) as string[];
  assert.equal(colours.length, 5);
  assert.equal(new Set(colours).size, 5, `colours repeat: ${colours.join(', ')}`);
  await page.keyboard.press('Escape');

  // Item 2: the paragraph's threads take the column's height; no scroll box inside it.
  await page.locator(para(0)).click();
  await pollPage(
    page,
    `document.querySelectorAll('[data-testid=thread]').length`,
    (n) => n === 3,
    'three threads',
  );
  const panel = (await page.evaluate(`(() => {
    const p = document.querySelector('[data-testid=comments-panel]');
    return { overflow: getComputedStyle(p).overflowY, scroll: p.scrollHeight, client: p.clientHeight };
  })()`)) as { overflow: string; scroll: number; client: number };
  assert.equal(panel.overflow, 'visible');
  assert.ok(panel.scroll <= panel.client + 1, `the panel scrolls inside: ${JSON.stringify(panel)}`);
  assert.ok(panel.client > 400, `the panel is ${panel.client} px high`);

  // Item 6: scrolled down, the card's title and the banner stay below or in the sticky header.
  await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
  const top = (await page.evaluate(rect('.app-top'))) as Rect;
  const cardTitle = (await page.evaluate(rect('[data-testid=consensus-paragraph]'))) as Rect;
  assert.ok(
    cardTitle.top >= top.bottom,
    `card title at ${cardTitle.top}, header ends ${top.bottom}`,
  );
  await chair.context.setOffline(true);
  await page.getByTestId('connection-banner').waitFor({ timeout: 20_000 });
  await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
  const banner = (await page.evaluate(rect('[data-testid=connection-banner]'))) as Rect;
  assert.ok(
    banner.top >= 0 && banner.bottom <= 200,
    `the banner is off screen: ${JSON.stringify(banner)}`,
  );
  await pollPage(
    page,
    `document.querySelector('.side-column').getBoundingClientRect().top >= document.querySelector('.app-top').getBoundingClientRect().bottom`,
    (v) => v === true,
    'the side column to move below the banner',
  );
  await chair.context.setOffline(false);
  await pollPage(
    page,
    `document.querySelector('[data-testid=connection-banner]') === null`,
    (v) => v === true,
    'back online',
  );
  await page.evaluate('window.scrollTo(0, 0)');

  // Item 8: Ana's caret label shows while she types, then fades; it never leaves the sheet.
  await ana.page.locator(para(1)).click();
  await ana.page.keyboard.press('End');
  await ana.page.keyboard.type(' Ana was here and kept typing to the end of this line');
  const labelShown = `(() => { const l = document.querySelector('.remote-caret-label'); return l ? getComputedStyle(l).visibility : null; })()`;
  await pollPage(page, labelShown, (v) => v === 'visible', 'the label while Ana types');
  const label = (await page.evaluate(rect('.remote-caret-label'))) as Rect;
  const sheet = (await page.evaluate(rect('.sheet'))) as Rect;
  assert.ok(
    label.right <= sheet.right + 0.5,
    `label ends at ${label.right}, sheet at ${sheet.right}`,
  );
  await pollPage(
    page,
    labelShown,
    (v) => v === 'hidden',
    'the label to fade once Ana is idle',
    15_000,
  );
  await ana.page.keyboard.type('!');
  await pollPage(page, labelShown, (v) => v === 'visible', 'the label when Ana types again');

  const offline = chair.problems.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e));
  assert.deepEqual(offline, []);
  ana.problems.assertNone('ana');
});
