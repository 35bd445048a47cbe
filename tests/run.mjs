// Runs every test file with node's test runner (TypeScript through tsx), one file at a time:
// the machine has 2 cores and the suites start servers and browsers.
//   node tests/run.mjs                 all tests on SQLite, then the integration suite again on
//                                      PostgreSQL (127.0.0.1:5432; CONCORD_TEST_POSTGRES_URL)
//   node tests/run.mjs tests/unit      only files under a path (CONCORD_TEST_ENGINE=postgres to
//                                      run them on PostgreSQL)
// The contract suites (tests/contract) run on both engines in the first pass. Without a reachable
// PostgreSQL (and not in CI) its tests are skipped, and the run says so.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const roots = args.length > 0 ? args : ['shared', 'server', 'tests'];

/** Files that test SQLite itself, or both engines already: not run again in the PostgreSQL pass. */
const ONE_PASS = new Set([
  'tests/integration/storage-writer.test.ts',
  'tests/integration/sqlite-upgrade.test.ts',
  'tests/integration/migrate-to-postgres.test.ts',
  'tests/integration/postgres-start.test.ts',
]);

function testFiles(paths) {
  const files = [];
  const walk = (p) => {
    const abs = path.resolve(root, p);
    if (!fs.existsSync(abs)) return;
    if (fs.statSync(abs).isFile()) {
      if (abs.endsWith('.test.ts')) files.push(path.relative(root, abs));
      return;
    }
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist') continue;
      walk(path.join(p, e.name));
    }
  };
  for (const r of paths) walk(r);
  return files.sort();
}

/** Runs `files` in one node --test process; returns its exit status and its counts. */
function pass(files, env) {
  const summaryFile = path.join(os.tmpdir(), `concord-summary-${crypto.randomUUID()}.txt`);
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=1',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${path.join(root, 'tests/summary-reporter.mjs')}`,
      `--test-reporter-destination=${summaryFile}`,
      ...files,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', ...env } },
  );
  const text = fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, 'utf8') : '';
  fs.rmSync(summaryFile, { force: true });
  const m = /(\d+) passed, (\d+) failed, (\d+) skipped/.exec(text);
  const counts = m ? m.slice(1, 4).map(Number) : [0, 1, 0];
  return { status: result.status ?? 1, counts };
}

const ADMIN_URL =
  process.env.CONCORD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** null when PostgreSQL answers, else why not. */
async function postgresUnreachable() {
  try {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
    await client.connect();
    await client.end();
    return null;
  } catch (err) {
    return err.message;
  }
}

/** Drops the PostgreSQL databases a pass left behind (a crashed test cannot drop its own). */
async function dropDatabases(prefix) {
  try {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    const { rows } = await client.query(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );
    for (const r of rows) await client.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    await client.end();
  } catch (err) {
    console.error(`could not drop the test databases ${prefix}*: ${err.message}`);
  }
}

const files = testFiles(roots);
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const run = crypto.randomBytes(4).toString('hex');
const passes = [{ label: null, files, engine: process.env.CONCORD_TEST_ENGINE ?? 'sqlite' }];
const unreachable = await postgresUnreachable();
if (unreachable && !process.env.CI)
  console.log(
    `\nPostgreSQL does not answer at ${ADMIN_URL} (${unreachable}): its tests are skipped. Start it (or set CONCORD_TEST_POSTGRES_URL) to run them; CI always does.\n`,
  );
if (args.length === 0 && !(unreachable && !process.env.CI)) {
  passes[0].label = 'SQLite';
  passes.push({
    label: 'PostgreSQL',
    files: testFiles(['tests/integration']).filter((f) => !ONE_PASS.has(f)),
    engine: 'postgres',
  });
}

const total = [0, 0, 0];
let status = 0;
const lines = [];
for (const p of passes) {
  const prefix = `concord_test_${run}_${p.engine}_`;
  if (p.label) console.log(`\n=== ${p.label} pass: ${p.files.length} files\n`);
  const started = Date.now();
  const result = pass(p.files, {
    CONCORD_TEST_ENGINE: p.engine,
    CONCORD_TEST_DATABASE_PREFIX: prefix,
    CONCORD_TEST_POSTGRES: unreachable && !process.env.CI ? 'skip' : 'run',
  });
  if (!unreachable) await dropDatabases(prefix);
  if (result.status !== 0) status = result.status;
  for (let i = 0; i < 3; i++) total[i] += result.counts[i];
  const [passed, failed, skipped] = result.counts;
  lines.push(
    `${p.label ?? p.engine} pass: ${passed} passed, ${failed} failed, ${skipped} skipped (${Math.round((Date.now() - started) / 1000)} s)`,
  );
}
if (passes.length > 1) console.log(`\n${lines.join('\n')}`);
console.log(`\n${total[0]} passed, ${total[1]} failed, ${total[2]} skipped`);
process.exit(status);
