/**
 * The benchmark harness in smoke mode (tiny loads, one repetition): every target must deliver
 * every edit and presence change, converge, and its real-provider canary must sync the same
 * state. No timing is asserted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runBench } from './harness.js';

test('bench smoke: every target delivers everything and converges', {
  timeout: 180_000,
}, async (t) => {
  const lines: string[] = [];
  const report = await runBench({
    smoke: true,
    reps: 1,
    scenarios: [],
    targets: [],
    profile: false,
    log: (line) => lines.push(line),
  });
  for (const s of report.skipped) t.diagnostic(`skipped ${s}`);
  assert.ok(report.records.length > 0, 'the smoke ran nothing');
  assert.deepEqual(report.failures, [], `\n${lines.join('\n')}\n\n${report.markdown}`);
});
