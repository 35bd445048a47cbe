/**
 * The browser benchmark (tests/bench/browser.ts) in smoke mode: a small report with a few people
 * present, the bare stack and Concord each opened once and typed into. Asserts only that it
 * completes: both pages became editable, the typed text reached the server, the others' text
 * reached the page, and the figures were taken. No timing is judged.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/server.js';
import { ROOT } from './targets.js';

test('browser bench smoke: both pages open, take the keys and converge', {
  timeout: 300_000,
}, () => {
  const json = path.join(tempDir('concord-browser-smoke-'), 'figures.json');
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'tests/bench/browser.ts', '--smoke', '--json', json],
    { cwd: ROOT, encoding: 'utf8', timeout: 280_000 },
  );
  const output = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, output);
  const figures = JSON.parse(fs.readFileSync(json, 'utf8')) as Record<
    string,
    Array<{
      converged: boolean;
      editableMs: number;
      elements: number;
      bytes: Record<string, number>;
    }>
  >;
  assert.deepEqual(Object.keys(figures).sort(), ['bare', 'concord']);
  for (const [id, runs] of Object.entries(figures)) {
    assert.equal(runs.length, 1, id);
    const f = runs[0]!;
    assert.equal(f.converged, true, `${id} did not converge`);
    assert.ok(f.editableMs > 0, `${id}: no time to editable`);
    assert.ok(f.elements > 30, `${id}: ${f.elements} elements`);
    assert.ok((f.bytes['js'] ?? 0) > 0, `${id}: no script counted`);
    assert.ok((f.bytes['sync'] ?? 0) > 0, `${id}: no sync bytes counted`);
  }
  assert.match(output, /\| keystroke → next paint p95 \|/);
});
