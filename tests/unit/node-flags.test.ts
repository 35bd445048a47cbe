/**
 * Concord's node flags are written in three places: `npm start`, `npm run demo` and the
 * Dockerfile's CMD; the benchmark reads them from `npm start` (concordNodeFlags). They must agree,
 * or the benchmark would measure a server nobody runs.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { concordNodeFlags } from '../bench/targets.js';

const root = path.resolve(import.meta.dirname, '../..');

test('npm start, npm run demo and the Dockerfile start the server with the same node flags', () => {
  const flags = concordNodeFlags();
  assert.ok(flags.includes('--max-semi-space-size=4'), `npm start flags: ${flags.join(' ')}`);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  assert.match(
    pkg.scripts.demo!,
    new RegExp(`\\bnode ${flags.join(' ')} dist/server/main\\.js\\b`),
  );
  const dockerfile = fs.readFileSync(path.join(root, 'server/Dockerfile'), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
  assert.ok(cmd, 'the Dockerfile has an exec-form CMD');
  assert.deepEqual(JSON.parse(cmd[1]!), ['node', ...flags, 'dist/server/main.js']);
});
