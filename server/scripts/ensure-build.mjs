// Builds the server and the browser client when their output is missing or older than the
// sources, so `npm start` and `npm test` work on a fresh clone without a separate build step.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function newest(dirs, exts) {
  let t = 0;
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'assets') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (exts.some((x) => e.name.endsWith(x))) t = Math.max(t, fs.statSync(p).mtimeMs);
    }
  };
  for (const d of dirs) walk(path.join(root, d));
  return t;
}

const mtime = (p) =>
  fs.existsSync(path.join(root, p)) ? fs.statSync(path.join(root, p)).mtimeMs : 0;
const configs = Math.max(
  mtime('package-lock.json'),
  mtime('tsconfig.json'),
  mtime('tsconfig.build.json'),
);

const serverSrc = Math.max(newest(['server', 'shared'], ['.ts']), configs);
if (mtime('dist/server/main.js') < serverSrc) {
  console.log('Building the server…');
  execSync('npm run build:server', { cwd: root, stdio: 'inherit' });
  fs.utimesSync(path.join(root, 'dist/server/main.js'), new Date(), new Date());
}
const clientSrc = Math.max(newest(['client', 'shared'], ['.ts', '.html', '.css']), configs);
if (mtime('dist/client/index.html') < clientSrc) {
  console.log('Building the browser client…');
  execSync('npm run build:client', { cwd: root, stdio: 'inherit' });
  fs.utimesSync(path.join(root, 'dist/client/index.html'), new Date(), new Date());
}
