// Runs every test file with node's test runner (TypeScript through tsx), one file at a time:
// the machine has 2 cores and the suites start servers and browsers.
//   node tests/run.mjs                 all tests
//   node tests/run.mjs tests/unit      only files under a path
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const roots =
  process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['shared', 'server', 'tests'];
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
for (const r of roots) walk(r);
files.sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
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
    '--test-reporter-destination=stdout',
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
