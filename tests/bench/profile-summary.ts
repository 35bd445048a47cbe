/**
 * Summarises a V8 .cpuprofile (from `run.ts --profile`): self time per function, top N.
 *   node --import tsx tests/bench/profile-summary.ts FILE.cpuprofile [N]
 */
import fs from 'node:fs';
import path from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: profile-summary.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
prof.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self.entries()]
  .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
  .reduce((a, [, v]) => a + v, 0);
const agg = new Map<string, number>();
const pkgOf = (url: string) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:') || url === '') return url || 'native';
  return path.relative(process.cwd(), url.replace(/^file:\/\//, ''));
};
for (const [id, t] of self) {
  const n = byId.get(id)!;
  const f = n.callFrame;
  if (f.functionName === '(idle)') continue;
  const key = `${f.functionName || '(anonymous)'}  [${pkgOf(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}]`;
  agg.set(key, (agg.get(key) ?? 0) + t);
}
const busy = total - idle;
console.log(
  `${path.basename(file)}: ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms busy`,
);
const byPkg = new Map<string, number>();
for (const [k, t] of agg) {
  const pkg = /\[([^:\]]+)/.exec(k)?.[1] ?? '?';
  byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + t);
}
console.log('\nby package / file (self time, % of busy):');
for (const [k, t] of [...byPkg].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`  ${((100 * t) / busy).toFixed(1).padStart(5)}%  ${k}`);
}
console.log('\ntop functions (self time, % of busy):');
for (const [k, t] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 25))) {
  console.log(`  ${((100 * t) / busy).toFixed(1).padStart(5)}%  ${k}`);
}
