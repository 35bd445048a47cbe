/**
 * Concord's launch settings (node flags and environment such as GLIBC_TUNABLES) are written in
 * three places: `npm start`, `npm run demo` and the Dockerfile; the benchmark reads them from
 * `npm start` (concordLaunch). They must agree, or the benchmark would measure a server nobody
 * runs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { concordLaunch } from '../bench/targets.js';

const root = path.resolve(import.meta.dirname, '../..');

test('npm start, npm run demo and the Dockerfile start the server with the same node flags and environment', () => {
  const { env, flags } = concordLaunch();
  assert.ok(flags.includes('--max-semi-space-size=4'), `npm start flags: ${flags.join(' ')}`);
  assert.match(env['GLIBC_TUNABLES'] ?? '', /glibc\.malloc\.mmap_threshold=\d+/);
  assert.match(env['GLIBC_TUNABLES'] ?? '', /glibc\.malloc\.trim_threshold=\d+/);
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v} `);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(
    pkg.scripts.demo!,
    new RegExp(
      `${reEscape(assignments.join(''))}node ${reEscape(flags.join(' '))} dist/server/main\\.js\\b`,
    ),
  );
  const dockerfile = fs.readFileSync(path.join(root, 'server/Dockerfile'), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  assert.ok(cmd, 'the Dockerfile has an exec-form CMD');
  assert.deepEqual(JSON.parse(cmd[1]!), ['node', ...flags, 'dist/server/main.js']);
  // The runtime stage's environment: every ENV line after the last FROM.
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  for (const [k, v] of Object.entries(env)) {
    assert.match(runtime, new RegExp(`^ENV ${k}=${reEscape(v)}$`, 'm'), `Dockerfile sets ${k}`);
  }
});

// glibc ignores a misspelt tunable without a word, so check the effect itself: a freed 4 MB buffer
// is handed out again (under 200 page faults here) instead of unmapped and faulted in again page
// by page (about 1170). Counted in page faults, never in time.
const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
  ?.glibcVersionRuntime;
test("npm start's malloc thresholds make a freed large buffer reusable", {
  skip: glibc ? false : 'not a glibc system: GLIBC_TUNABLES has no effect here',
}, () => {
  const { env } = concordLaunch();
  const script = `
      const faults = () => process.resourceUsage().minorPageFault;
      let b = Buffer.allocUnsafeSlow(4 << 20); b.fill(1); b = null;
      gc(); gc();
      setTimeout(() => {
        gc();
        const f0 = faults();
        const c = Buffer.allocUnsafeSlow(4 << 20); c.fill(2);
        process.stdout.write(String(faults() - f0));
      }, 200);`;
  const faults = (extra: Record<string, string>) => {
    const base = { ...process.env };
    delete base['GLIBC_TUNABLES'];
    return Number(
      execFileSync(process.execPath, ['--expose-gc', '-e', script], {
        env: { ...base, ...extra },
        encoding: 'utf8',
      }),
    );
  };
  const stock = faults({});
  // V8 frees a dead buffer's memory on a background thread; on a loaded machine that can come
  // after the timer, and the new buffer is then faulted in afresh whatever the tunables. So the
  // tuned child gets up to five tries: the claim is that reuse happens, not that it always wins
  // the race with the sweeper.
  let tuned = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5 && tuned * 4 >= stock; i++) tuned = Math.min(tuned, faults(env));
  assert.ok(stock > 500, `without the tunables the buffer is faulted in afresh (${stock} faults)`);
  assert.ok(
    tuned * 4 < stock,
    `with npm start's tunables it is reused (${tuned} faults, ${stock} without)`,
  );
});
