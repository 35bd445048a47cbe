/**
 * `npm run bench:browser`: typing and opening a large report in Chromium, Concord beside the bare
 * editor stack (issue #19), in the same run.
 *
 *   node --import tsx tests/bench/browser.ts [--smoke] [--reps N] [--keys N] [--slow]
 *                                            [--baseline DIR] [--out FILE]
 *
 * --smoke       a small report, few people, 20 keys, one repetition; exits non-zero unless
 *               every page became editable, the typed text reached the server and the others'
 *               text reached the page (never judges a timing).
 * --reps N      repetitions (default 3); the pages alternate within each (bare, Concord, …).
 * --keys N      characters typed into the middle paragraph per page and repetition (200).
 * --slow        emulate a 150 ms round trip and 200,000 B/s both ways (CDP) while opening.
 * --baseline D  also run the Concord build in checkout D (its dist/; e.g. a worktree of an older
 *               commit, built): before/after side by side.
 * --out FILE    where to write the markdown (default tests/bench/results/browser-<date>.md).
 * --json FILE   also write every page run's figures as JSON (the smoke test reads them).
 * --profile     record a CPU profile of each page while it is typed into (Chromium's profiler
 *               through CDP), written as .cpuprofile next to the results (summarise with
 *               tests/bench/profile-summary.ts, or open in DevTools → Performance).
 *
 * Per page and repetition: keystroke → next paint (Event Timing: the longest entry of each key's
 * interaction; keys with no entry took under 16 ms and count as 16), the wait before the key
 * handler starts, long tasks while typing, the main thread's busy share while typing and while
 * only watching the others type (CDP Performance.getMetrics TaskDuration), navigation →
 * editable (every paragraph shown in an editable editor), page elements, bytes received.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { type PageBench, probe } from './browser/probe.js';
import { type PageTarget, startBare, startConcord } from './browser/targets.js';
import { Crowd, makeReport, type WorldSize, yParagraphs } from './browser/world.js';
import { sleep } from './proc.js';
import { BENCH_DIR, ROOT } from './targets.js';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    reps: { type: 'string' },
    keys: { type: 'string' },
    slow: { type: 'boolean', default: false },
    baseline: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'string' },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  const src = fs.readFileSync(new URL(import.meta.url), 'utf8');
  console.log(src.slice(src.indexOf('/**') + 3, src.indexOf('*/')).replace(/^ \* ?/gm, ''));
  process.exit(0);
}

const SIZE: WorldSize = values.smoke
  ? { paragraphs: 30, chapters: 3, threads: 12, people: 3, typers: 1 }
  : { paragraphs: 300, chapters: 7, threads: 500, people: 39, typers: 4 };
const REPS = values.smoke ? 1 : Number(values.reps ?? 3);
const KEYS = Number(values.keys ?? (values.smoke ? 20 : 200));
const WATCH_MS = values.smoke ? 1000 : 10_000;
const BENCH_INDEX = Math.floor(SIZE.paragraphs / 2) - 1;
const log = (s: string) =>
  console.log(`[browser-bench ${new Date().toISOString().slice(11, 19)}] ${s}`);

interface Figures {
  keyP50: number;
  keyP95: number;
  keyMax: number;
  slowKeys: number;
  waitP50: number;
  waitP95: number;
  longTasks: number;
  longestTask: number;
  busyTyping: number;
  busyWatching: number;
  editableMs: number;
  elements: number;
  bytes: Record<string, number>;
  converged: boolean;
}

const pct = (sorted: number[], p: number) =>
  sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const median = (xs: number[]) =>
  pct(
    [...xs].sort((a, b) => a - b),
    50,
  );

async function taskDuration(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as {
    metrics: Array<{ name: string; value: number }>;
  };
  return (metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) * 1000;
}

/** Bytes received by kind (scripts, styles, API JSON, the page, the sync socket). */
function countBytes(cdp: CDPSession): Record<string, number> {
  const bytes: Record<string, number> = {};
  const kinds = new Map<string, string>();
  const add = (k: string, n: number) => {
    bytes[k] = (bytes[k] ?? 0) + n;
  };
  cdp.on('Network.responseReceived', (e) => {
    const url = e.response.url;
    const kind = url.includes('/api/')
      ? 'api'
      : e.type === 'Script'
        ? 'js'
        : e.type === 'Stylesheet'
          ? 'css'
          : 'other';
    kinds.set(e.requestId, kind);
  });
  cdp.on('Network.loadingFinished', (e) =>
    add(kinds.get(e.requestId) ?? 'other', e.encodedDataLength),
  );
  cdp.on('Network.webSocketFrameReceived', (e) => {
    const p = e.response.payloadData;
    add('sync', e.response.opcode === 2 ? Math.floor((p.length * 3) / 4) : p.length);
  });
  return bytes;
}

/**
 * Waits until `expression` is true in the page (polled through page.evaluate: Concord's CSP
 * forbids the string evaluation waitForFunction would use).
 */
async function waitInPage(page: Page, expression: string, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await sleep(50);
  }
}

/** Clicks at the end of paragraph `index` and waits until the caret is there. */
async function caretAtEnd(page: Page, index: number): Promise<void> {
  const inParagraph = `(() => { const s = getSelection(); const p = document.querySelectorAll('.ProseMirror p.para')[${index}]; return !!(s && s.anchorNode && p && p.contains(s.anchorNode)); })()`;
  // A click can lose the race with focus moving elsewhere (the comments panel focuses the card
  // its badge opened): try again until the caret stays.
  for (let attempt = 1; ; attempt++) {
    // Scrolled and measured from the page, not through Playwright's locators: with others
    // typing above it the paragraph moves, and on a loaded machine the locator's waits time out.
    const box = (await page.evaluate(
      `(() => { const p = document.querySelectorAll('.ProseMirror p.para')[${index}];
        p.scrollIntoView({ block: 'center' }); const r = p.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height }; })()`,
    )) as { x: number; y: number; width: number; height: number } | null;
    if (!box) throw new Error('the paragraph is not shown');
    await page.mouse.click(box.x + box.width - 4, box.y + box.height - 6);
    await page.keyboard.press('End');
    try {
      await waitInPage(page, inParagraph, 5000);
      await sleep(300);
      if (await page.evaluate(inParagraph)) return;
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}

async function measure(
  browser: Browser,
  target: PageTarget,
  crowd: Crowd,
  rep: number,
): Promise<Figures> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    if (target.cookies.length > 0) await context.addCookies(target.cookies);
    await context.addInitScript({ content: probe(SIZE.paragraphs) });
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Performance.enable');
    if (values.slow) {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 150,
        downloadThroughput: 200_000,
        uploadThroughput: 200_000,
      });
    }
    const bytes = countBytes(cdp);
    await page.goto(target.url, { waitUntil: 'commit', timeout: 120_000 });
    await waitInPage(page, 'window.__bench.editableAt !== null', 120_000);
    const editableMs = (await page.evaluate('window.__bench.editableAt')) as number;
    log(`  editable after ${Math.round(editableMs)} ms`);
    if (values.slow) {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    }
    // Let the side panels finish, then count.
    await sleep(values.smoke ? 500 : 3000);
    const elements = (await page.evaluate("document.getElementsByTagName('*').length")) as number;
    const loadBytes = { ...bytes };
    // Only the load's bytes are counted: CDP's event per websocket frame (forty people's presence)
    // would otherwise load the browser while typing.
    await cdp.send('Network.disable');
    if (target.comments) {
      // The comments panel open on the paragraph typed into (its badge).
      const badge = page
        .locator('.ProseMirror p.para')
        .nth(BENCH_INDEX)
        .getByTestId('comment-badge');
      try {
        if ((await badge.count()) > 0) {
          await badge.first().click({ timeout: 30_000 });
          await sleep(500);
        }
      } catch (err) {
        log(
          `  the badge of the typed paragraph could not be clicked (${(err as Error).message.split('\n')[0]}): panel unfiltered`,
        );
      }
    }
    await caretAtEnd(page, BENCH_INDEX);
    log('  caret placed; typing');
    await page.evaluate('window.__bench.keys.length = 0; window.__bench.longTasks.length = 0');
    const mark = `r${rep}${target.id.slice(0, 3)}`;
    const text = ` ${mark} ${'typing fast into a long report '.repeat(Math.ceil(KEYS / 31))}`.slice(
      0,
      KEYS,
    );
    if (values.profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const busy0 = await taskDuration(cdp);
    const t0 = performance.now();
    await page.keyboard.type(text, { delay: 40 });
    const typingMs = performance.now() - t0;
    log(`  typed ${KEYS} keys in ${Math.round(typingMs)} ms`);
    const busyTyping = ((await taskDuration(cdp)) - busy0) / typingMs;
    if (values.profile) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
      const file = path.join(BENCH_DIR, 'results', `browser-${target.id}-rep${rep + 1}.cpuprofile`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
      log(`  profile: ${path.relative(process.cwd(), file)}`);
    }
    const pageBench = (await page.evaluate('window.__bench')) as PageBench;
    // The typed text reached the server (a crowd member sees it) and the page shows the others'.
    let converged = false;
    const doc = crowd.doc();
    for (let i = 0; i < 100 && !converged; i++) {
      const para = doc ? yParagraphs(doc)[BENCH_INDEX] : null;
      converged =
        !!para &&
        para
          .toString()
          .replace(/<[^>]*>/g, '')
          .includes(text.trim());
      if (!converged) await sleep(200);
    }
    const othersTyped = (await page.evaluate(
      "document.querySelector('.ProseMirror').textContent.includes('x x')",
    )) as boolean;
    converged &&= othersTyped || SIZE.typers === 0;
    // Only watching the others type.
    await page.evaluate("document.querySelector('.ProseMirror').blur()");
    const busy1 = await taskDuration(cdp);
    await sleep(WATCH_MS);
    const busyWatching = ((await taskDuration(cdp)) - busy1) / WATCH_MS;

    // Per key: the longest Event Timing entry of its interaction (keys without one: < 16 ms).
    const byInteraction = new Map<number, { duration: number; wait: number }>();
    for (const k of pageBench.keys) {
      if (!k.id) continue;
      const seen = byInteraction.get(k.id);
      if (!seen || k.duration > seen.duration)
        byInteraction.set(k.id, {
          duration: k.duration,
          wait: k.name === 'keydown' ? k.wait : (seen?.wait ?? k.wait),
        });
    }
    const durations = [...byInteraction.values()].map((v) => v.duration);
    while (durations.length < KEYS) durations.push(16);
    durations.sort((a, b) => a - b);
    const waits = [...byInteraction.values()].map((v) => v.wait);
    while (waits.length < KEYS) waits.push(0);
    waits.sort((a, b) => a - b);
    const tasks = pageBench.longTasks.map((t) => t.duration);
    return {
      keyP50: pct(durations, 50),
      keyP95: pct(durations, 95),
      keyMax: durations[durations.length - 1] ?? 0,
      slowKeys: durations.filter((d) => d >= 50).length / Math.max(1, durations.length),
      waitP50: pct(waits, 50),
      waitP95: pct(waits, 95),
      longTasks: tasks.length,
      longestTask: Math.max(0, ...tasks),
      busyTyping,
      busyWatching,
      editableMs,
      elements,
      bytes: loadBytes,
      converged,
    };
  } finally {
    await context.close();
  }
}

const ms = (v: number) => `${Math.round(v)} ms`;
const share = (v: number) => `${Math.round(v * 100)} %`;
const kb = (v: number | undefined) => `${Math.round((v ?? 0) / 1024)} KB`;

const ROWS: Array<[string, (f: Figures) => number, (v: number) => string]> = [
  ['keystroke → next paint p50', (f) => f.keyP50, ms],
  ['keystroke → next paint p95', (f) => f.keyP95, ms],
  ['keystroke → next paint max', (f) => f.keyMax, ms],
  ['keys taking ≥ 50 ms', (f) => f.slowKeys, share],
  ['wait before the key handler, p50', (f) => f.waitP50, (v) => `${v.toFixed(1)} ms`],
  ['wait before the key handler, p95', (f) => f.waitP95, (v) => `${v.toFixed(1)} ms`],
  ['long tasks while typing', (f) => f.longTasks, (v) => String(v)],
  ['longest task while typing', (f) => f.longestTask, ms],
  ['main thread busy while typing', (f) => f.busyTyping, share],
  ['main thread busy while watching others type', (f) => f.busyWatching, share],
  [
    values.slow ? 'navigation → editable (150 ms RTT, 200,000 B/s)' : 'navigation → editable',
    (f) => f.editableMs,
    ms,
  ],
  ['page elements after load', (f) => f.elements, (v) => String(Math.round(v))],
  ['received: scripts', (f) => f.bytes['js'] ?? 0, kb],
  ['received: style sheets', (f) => f.bytes['css'] ?? 0, kb],
  ['received: API JSON', (f) => f.bytes['api'] ?? 0, kb],
  ['received: sync socket', (f) => f.bytes['sync'] ?? 0, kb],
];

async function main(): Promise<number> {
  const report = makeReport(SIZE);
  log(
    `report: ${SIZE.paragraphs} paragraphs, ${SIZE.threads} threads, ${SIZE.people} others (${SIZE.typers} typing)`,
  );
  const targets: PageTarget[] = [];
  const crowds = new Map<string, Crowd>();
  let browser: Browser | null = null;
  const results = new Map<string, Figures[]>();
  let failures = 0;
  try {
    targets.push(await startBare(report, BENCH_INDEX));
    targets.push(await startConcord('concord', 'Concord', ROOT, report, SIZE, BENCH_INDEX));
    if (values.baseline) {
      targets.push(
        await startConcord(
          'concord-before',
          'Concord (baseline)',
          path.resolve(values.baseline),
          report,
          SIZE,
          BENCH_INDEX,
        ),
      );
    }
    for (const t of targets) {
      const crowd = new Crowd();
      await crowd.start(t.endpoint, SIZE, t.typable);
      crowds.set(t.id, crowd);
      results.set(t.id, []);
    }
    browser = await launchBrowser();
    for (let rep = 0; rep < REPS; rep++) {
      // Alternate the order between repetitions so neither always runs first.
      const order = rep % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        log(`rep ${rep + 1}/${REPS}: ${t.label}`);
        const f = await measure(browser, t, crowds.get(t.id)!, rep);
        if (!f.converged) {
          failures++;
          log(`  NOT CONVERGED on ${t.label}`);
        }
        log(
          `  key p50/p95/max ${ms(f.keyP50)}/${ms(f.keyP95)}/${ms(f.keyMax)}, editable ${ms(f.editableMs)}, elements ${f.elements}`,
        );
        results.get(t.id)!.push(f);
      }
    }
  } finally {
    await browser?.close();
    for (const c of crowds.values()) c.stop();
    for (const t of targets) await t.stop();
  }

  const ids = targets.map((t) => t.id);
  const bare = results.get('bare') ?? [];
  const head = `| | ${targets.map((t) => t.label).join(' | ')} | ${targets
    .filter((t) => t.id !== 'bare')
    .map((t) => `${t.label} ÷ bare`)
    .join(' | ')} |`;
  const lines = [
    `# Browser benchmark (issue #19), ${new Date().toISOString()}`,
    '',
    `${SIZE.paragraphs} paragraphs, ${SIZE.threads} threads, ${SIZE.people} others present (${SIZE.typers} typing), ${KEYS} keys per page and repetition, ${REPS} repetition(s). ` +
      'Cells: median over repetitions; ratios: median of the per-repetition ratios (paired). ' +
      'Taken on a shared machine: indicative only.',
    '',
    head,
    `| --- | ${ids.map(() => '---').join(' | ')} | ${ids
      .filter((i) => i !== 'bare')
      .map(() => '---')
      .join(' | ')} |`,
  ];
  for (const [name, get, fmt] of ROWS) {
    const cells = ids.map((id) => fmt(median((results.get(id) ?? []).map(get))));
    const ratios = ids
      .filter((id) => id !== 'bare')
      .map((id) => {
        const rs = (results.get(id) ?? [])
          .map((f, i) => (bare[i] && get(bare[i]) > 0 ? get(f) / get(bare[i]) : Number.NaN))
          .filter((r) => Number.isFinite(r));
        return rs.length ? `${median(rs).toFixed(2)}× (n=${rs.length})` : '–';
      });
    lines.push(`| ${name} | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
  }
  const markdown = lines.join('\n');
  console.log(`\n${markdown}\n`);
  let out = values.out ?? null;
  if (!out && !values.smoke) {
    out = path.join(
      BENCH_DIR,
      'results',
      `browser-${new Date().toISOString().slice(0, 16).replace(':', '')}.md`,
    );
  }
  if (out) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${markdown}\n`);
    log(`written to ${path.relative(process.cwd(), out)}`);
  }
  if (values.json) {
    fs.writeFileSync(values.json, JSON.stringify(Object.fromEntries(results), null, 1));
  }
  if (failures > 0) log(`${failures} page run(s) did not converge`);
  return failures > 0 ? 1 : 0;
}

// Exit at once: the bare page's static server and the providers' sockets would keep the loop alive.
process.exit(await main());
