/**
 * docs/architecture.md names files and folders at every step: each must exist, so the map cannot
 * drift from the code unnoticed. A rooted path (`server/sync/frame.ts`, `client/src/app/`) must
 * exist as written; a shorter file name (`live-report.ts`, `comments/store.ts` in a diagram) must
 * be the end of some file's path in the repository.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const page = fs.readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');

const ROOTED = /(?<![\w./-])(?:client|server|shared|tests|docs)\/[\w./-]*/g;
const FILE = /(?<![\w./-])[\w-]+(?:\/[\w.-]+)*\.(?:tsx?|mjs|json|ya?ml)(?![\w-])/g;

function repositoryFiles(): string[] {
  const files: string[] = [];
  for (const top of ['client', 'server', 'shared', 'tests', 'docs']) {
    for (const entry of fs.readdirSync(path.join(root, top), { recursive: true })) {
      const rel = `${top}/${String(entry).split(path.sep).join('/')}`;
      if (!rel.includes('node_modules') && !rel.startsWith('tests/bench/results/')) files.push(rel);
    }
  }
  return files;
}

test('every rooted path the architecture page names exists', () => {
  const named = new Set([...page.matchAll(ROOTED)].map((m) => m[0].replace(/[.]+$/, '')));
  assert.ok(named.size >= 40, `the page names files (${named.size} found)`);
  const missing = [...named].filter((p) => !fs.existsSync(path.join(root, p)));
  assert.deepEqual(missing, [], 'docs/architecture.md names paths that do not exist');
});

test('every shorter file name on the page is a file of the repository', () => {
  const files = repositoryFiles();
  const rootFiles = fs.readdirSync(root);
  const named = new Set([...page.matchAll(FILE)].map((m) => m[0]));
  const missing = [...named].filter(
    (name) => !rootFiles.includes(name) && !files.some((f) => f === name || f.endsWith(`/${name}`)),
  );
  assert.deepEqual(missing, [], 'docs/architecture.md names files that do not exist');
});

test('the README links the architecture page', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  assert.ok(readme.includes('](docs/architecture.md)'), 'README.md links docs/architecture.md');
});
