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

test('README gives the two commands, and .ci/run calls the test command', () => {
  assert.match(readme, /npm ci && npm start/);
  assert.match(readme, /^npm test\b/m);
  const ci = fs.readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
  assert.match(ci, /^npm test$/m);
});
