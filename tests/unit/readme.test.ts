import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { configTable } from '../../server/scripts/config-table.js';
import { permissionTable } from '../../shared/roles.js';

const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('README configuration table matches server/config.ts', () => {
  assert.ok(
    readme.includes(configTable()),
    'README.md is out of date: paste the output of `node --import tsx server/scripts/config-table.ts`',
  );
});

test('README permission table matches shared/roles.ts', () => {
  assert.ok(readme.includes(permissionTable()), 'README.md permission table is out of date');
});

/** Claims of the README about the sync channel, each proved by a test named after it. */
const CLAIMS = [
  'schema validation',
  'the refused bytes are never stored or relayed',
  'never parked',
  'an old client cannot silently drop',
];

test('README sync claims are each named by a test', () => {
  const dirs = ['unit', 'integration'].map((d) => new URL(`../${d}/`, import.meta.url));
  const tests = dirs
    .flatMap((dir) => fs.readdirSync(dir).map((f) => new URL(f, dir)))
    .filter((f) => f.pathname.endsWith('.test.ts'))
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
  for (const claim of CLAIMS) {
    assert.ok(readme.includes(claim), `README no longer says "${claim}"`);
    assert.ok(tests.includes(`test('README "${claim}"`), `no test named README "${claim}"`);
  }
});

test('README gives the two commands, and .ci/run calls the test command', () => {
  assert.match(readme, /npm ci && npm start/);
  assert.match(readme, /^npm test\b/m);
  const ci = fs.readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
  assert.match(ci, /^npm test$/m);
});
