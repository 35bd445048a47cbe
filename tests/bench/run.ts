/**
 * `npm run bench`: measures Concord, Hocuspocus and the stock y-websocket server in one run.
 *
 *   node --import tsx tests/bench/run.ts [--smoke] [--reps N] [--scenario ID[,ID…]]
 *                                        [--target ID[,ID…]] [--profile] [--out FILE]
 *
 * --smoke      tiny loads, one repetition; exits non-zero unless every target delivered
 *              everything and converged (never judges a timing). Writes no file unless --out.
 * --reps N     repetitions (default 3); cells are median (min–max).
 * --scenario   ids or kinds: fanout, fanout:100, storm, presence, coldload, connect.
 * --target     concord, hocuspocus, y-websocket, concord-sync-off, concord-locked.
 * --profile    write V8 CPU profiles of the servers (node --cpu-prof) next to the results.
 * --out FILE   where to write the markdown (default tests/bench/results/<date>.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runBench } from './harness.js';
import { BENCH_DIR, TARGETS, type TargetId } from './targets.js';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    reps: { type: 'string' },
    scenario: { type: 'string', multiple: true, default: [] },
    target: { type: 'string', multiple: true, default: [] },
    profile: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  const src = fs.readFileSync(new URL(import.meta.url), 'utf8');
  console.log(src.slice(src.indexOf('/**') + 3, src.indexOf('*/')).replace(/^ \* ?/gm, ''));
  process.exit(0);
}

const split = (v: string[]) =>
  v
    .flatMap((x) => x.split(','))
    .map((x) => x.trim())
    .filter(Boolean);
const targets = split(values.target);
for (const t of targets) {
  if (!TARGETS.some((d) => d.id === t)) {
    console.error(`unknown target ${t}; known: ${TARGETS.map((d) => d.id).join(', ')}`);
    process.exit(2);
  }
}
const reps = values.smoke ? 1 : Number(values.reps ?? 3);
if (!Number.isInteger(reps) || reps < 1) {
  console.error('--reps must be a positive whole number');
  process.exit(2);
}

const report = await runBench({
  smoke: values.smoke,
  reps,
  scenarios: split(values.scenario),
  targets: targets as TargetId[],
  profile: values.profile,
  log: (line) => console.log(line),
});

console.log(`\n${report.markdown}`);

let out = values.out ?? null;
if (!out && !values.smoke) {
  const day = report.startedAt.toISOString().slice(0, 10);
  out = path.join(BENCH_DIR, 'results', `${day}.md`);
  for (let i = 2; fs.existsSync(out); i++) out = path.join(BENCH_DIR, 'results', `${day}-${i}.md`);
}
if (out) {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, report.markdown);
  console.log(`Written to ${path.relative(process.cwd(), out)}`);
}

if (report.failures.length > 0) {
  console.error(
    `\n${report.failures.length} run(s) did not deliver everything or did not converge.`,
  );
  // A full run under heavy load may legitimately time out; the smoke must never.
  if (values.smoke) process.exit(1);
}
