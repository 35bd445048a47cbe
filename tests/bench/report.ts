/** Renders the records of a bench run as markdown tables. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MS_PER_TICK } from './proc.js';
import type { BenchOptions, FloorRecord, RunRecord, Window } from './records.js';
import { LOAD_THREADS, WARMUP_MS } from './scenarios.js';
import { spread } from './stats.js';
import { ROOT, type TargetDef } from './targets.js';
import type { Scenario } from './types.js';

export interface RenderInput {
  records: RunRecord[];
  /** The write floor measured beside each fanout scenario (none in smoke runs). */
  floors: FloorRecord[];
  targets: TargetDef[];
  scenarios: Scenario[];
  skipped: string[];
  failures: string[];
  opts: BenchOptions;
  startedAt: Date;
  durationMs: number;
  profileDir: string | null;
}

function version(pkg: string): string {
  try {
    // Not require.resolve: some packages do not export their package.json.
    const file = path.join(ROOT, 'node_modules', pkg, 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function gitDescribe(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${head} (uncommitted changes)` : head;
  } catch {
    return 'no commit';
  }
}

function num(x: number): string {
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toFixed(3);
}

/** "median (min–max)" over the reps; "—" when nothing was measured. */
function cell(values: Array<number | undefined | null>): string {
  const s = spread(values.map((v) => (typeof v === 'number' ? v : Number.NaN)));
  if (!s) return '—';
  if (s.n === 1 || num(s.min) === num(s.max)) return num(s.median);
  return `${num(s.median)} (${num(s.min)}–${num(s.max)})`;
}

function medianOf(values: Array<number | undefined | null>): number {
  return spread(values.map((v) => (typeof v === 'number' ? v : Number.NaN)))?.median ?? Number.NaN;
}

function deliveredCell(rs: RunRecord[]): string {
  if (rs.length === 0) return '—';
  const worst = rs.reduce(
    (w, r) => {
      const d = r.load?.delivered ?? 0;
      const e = r.load?.expected ?? 1;
      return d / e < w.d / w.e ? { d, e } : w;
    },
    { d: 1, e: 1 },
  );
  if (worst.d >= worst.e && rs.every((r) => r.load && !r.failure)) return '100%';
  return `**${((100 * worst.d) / worst.e).toFixed(1)}%** (${worst.d}/${worst.e})`;
}

function okCell(rs: RunRecord[], ok: (r: RunRecord) => boolean): string {
  if (rs.length === 0) return '—';
  const bad = rs.filter((r) => !ok(r)).length;
  return bad === 0 ? 'yes' : `**no** (${bad}/${rs.length})`;
}

/** What the server said it held in memory when each cold load started. */
function openCell(rs: RunRecord[]): string {
  const v = rs.flatMap((r) => r.openAtColdStart);
  if (v.length === 0 || v.every((x) => x === null)) return 'not observable';
  const loaded = v.filter((x) => x !== null && x > 0).length;
  return loaded === 0 ? `0 (all ${v.length})` : `**>0 in ${loaded}/${v.length}**`;
}

const pct = (part: number | undefined, whole: number | undefined) =>
  part !== undefined && whole ? (100 * part) / whole : undefined;

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderMarkdown(input: RenderInput): string {
  const { records, targets, scenarios, opts } = input;
  const recs = (sid: string, tid: string) =>
    records.filter((r) => r.scenario.id === sid && r.target === tid);
  const label = (tid: string) => targets.find((t) => t.id === tid)?.label ?? tid;
  const mainTargets = targets.filter((t) => !t.only);
  const out: string[] = [];
  const load = (os.loadavg()[0] ?? 0).toFixed(2);

  out.push(
    `# Concord benchmark — ${input.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` +
      (opts.smoke ? ' (smoke)' : ''),
    '',
    `- Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ` +
      `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${load} at the end; ` +
      `Node ${process.version}; commit ${gitDescribe()}.`,
    `- Targets: ${targets.map((t) => t.label).join(', ')}. Versions: yjs ${version('yjs')}, ` +
      `y-protocols ${version('y-protocols')}, @hocuspocus/server ${version('@hocuspocus/server')}, ` +
      `@y/websocket-server ${version('@y/websocket-server')}, y-websocket provider ${version('y-websocket')}, ` +
      `@hocuspocus/provider ${version('@hocuspocus/provider')}.`,
    `- ${opts.reps} repetition(s); cells are median (min–max) over them. Run took ` +
      `${(input.durationMs / 60_000).toFixed(1)} min.`,
    '- Every target is a fresh child process per scenario and repetition' +
      (opts.smoke ? ' (smoke: one process per target for all scenarios)' : '') +
      '; targets alternate within each scenario. Load comes from one separate load-generator ' +
      'process over loopback: light clients (ws + y-protocols, one Y.Doc each, every update ' +
      'applied) plus one real provider as a canary. Fanout and storm spread their clients over ' +
      `${LOAD_THREADS} threads of that process (one thread applying 20,000 updates/s saturates), ` +
      `and edit for ${WARMUP_MS / 1000} s at the same pace before the measured window.`,
    `- Latency: the writer puts its send time (performance.timeOrigin + now()) into the edit; a ` +
      `reader takes the difference when it has applied the update. Server CPU: utime+stime of the ` +
      `server's process tree from /proc between the load generator's marks (${MS_PER_TICK} ms ticks); ` +
      `peak RSS: VmHWM. "load CPU" is the load generator's own CPU over the same window, in % of ` +
      `one core, all its threads together (near 100% per thread means the harness, not the ` +
      `server, was the limit).`,
    '',
  );

  const fan = scenarios.filter((s) => s.params.kind === 'fanout');
  if (fan.length > 0) {
    const p = fan[0]!.params;
    const detail =
      p.kind === 'fanout' ? `${p.editsPerSec} edits/s for ${p.durationMs / 1000} s` : '';
    out.push(`## fanout — one writer, ${detail}, N readers`, '');
    const rows: string[][] = [];
    for (const s of fan) {
      for (const t of mainTargets) {
        const rs = recs(s.id, t.id);
        if (rs.length === 0) continue;
        rows.push([
          s.params.kind === 'fanout' ? String(s.params.readers) : s.id,
          t.label,
          cell(rs.map((r) => r.load?.latency?.p50)),
          cell(rs.map((r) => r.load?.latency?.p95)),
          cell(rs.map((r) => r.load?.latency?.p99)),
          cell(rs.map((r) => r.load?.latency?.max)),
          deliveredCell(rs),
          cell(
            rs.map((r) =>
              r.window && r.load?.delivered
                ? (1000 * r.window.serverCpuMs) / r.load.delivered
                : undefined,
            ),
          ),
          cell(
            rs.map((r) =>
              r.load?.delivered
                ? (r.load.extra['bytesReceived'] ?? Number.NaN) / r.load.delivered
                : undefined,
            ),
          ),
          cell(rs.map((r) => r.serverHwmKb / 1024)),
          cell(rs.map((r) => pct(r.window?.loadCpuMs, r.window?.ms))),
          cell(
            rs.map((r) =>
              r.window && r.load?.delivered
                ? (1000 * r.window.loadCpuMs) / r.load.delivered
                : undefined,
            ),
          ),
          okCell(rs, (r) => !!r.load?.canaryOk),
        ]);
      }
      const floor = input.floors.filter((f) => f.scenarioId === s.id);
      if (floor.length > 0) {
        const blank = '';
        rows.push([
          s.params.kind === 'fanout' ? String(s.params.readers) : s.id,
          'bare socket.write (floor)',
          blank,
          blank,
          blank,
          blank,
          blank,
          cell(floor.map((f) => f.usPerWrite)),
          blank,
          blank,
          blank,
          blank,
          floor.some((f) => f.failure)
            ? `**failed** (${floor.filter((f) => f.failure).length})`
            : blank,
        ]);
      }
    }
    out.push(
      table(
        [
          'N',
          'target',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'delivered',
          'server CPU µs/delivery',
          'server sent B/delivery',
          'server peak RSS MB',
          'load CPU %',
          'load CPU µs/delivery',
          'canary',
        ],
        rows,
      ),
      '',
      '"bare socket.write (floor)": `tests/bench/write-floor.ts`, run after the targets in each ' +
        'repetition with the same N and duration: one process writes a ready-made frame to N ' +
        'sockets with `net.Socket.write`, nothing else: the least a server that writes through ' +
        'net.Socket can spend per delivery, one system call per socket. (Concord writes each ' +
        'broadcast this way: one net.Socket.write of a frame built once per broadcast.)',
      '',
      `The readers live in ${LOAD_THREADS} threads of one load process, each applying its ` +
        `readers' updates one after another, so at large N a latency includes up to ` +
        `N / ${LOAD_THREADS} × "load CPU µs/delivery" of harness work (the same for every target).`,
      '',
    );
  }

  const storm = scenarios.find((s) => s.id === 'storm');
  if (storm && storm.params.kind === 'storm') {
    const p = storm.params;
    out.push(
      `## storm — ${p.clients} clients, ${p.writers} writers × ${p.editsPerSecPerWriter} edits/s for ${p.durationMs / 1000} s`,
      '',
    );
    const rows = targets
      .map((t) => [t, recs('storm', t.id)] as const)
      .filter(([, rs]) => rs.length > 0)
      .map(([t, rs]) => [
        t.label,
        cell(rs.map((r) => r.load?.extra['deliveriesPerSec'])),
        cell(rs.map((r) => r.load?.latency?.p50)),
        cell(rs.map((r) => r.load?.latency?.p95)),
        cell(rs.map((r) => r.load?.latency?.p99)),
        cell(rs.map((r) => r.load?.latency?.max)),
        deliveredCell(rs),
        okCell(rs, (r) => !!r.load?.converged),
        cell(rs.map((r) => pct(r.window?.serverCpuMs, r.window?.ms))),
        cell(rs.map((r) => r.serverHwmKb / 1024)),
        cell(rs.map((r) => pct(r.window?.loadCpuMs, r.window?.ms))),
        okCell(rs, (r) => !!r.load?.canaryOk),
      ]);
    out.push(
      table(
        [
          'target',
          'deliveries/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'delivered',
          'converged',
          'server CPU %',
          'server peak RSS MB',
          'load CPU %',
          'canary',
        ],
        rows,
      ),
      '',
    );
  }

  const pres = scenarios.filter((s) => s.params.kind === 'presence');
  if (pres.length > 0 && pres[0]!.params.kind === 'presence') {
    const p = pres[0]!.params;
    out.push(
      `## presence — N clients in one document, each changes its awareness cursor every ${p.intervalMs} ms for ${p.durationMs / 1000} s`,
      '',
      `Latency is measured by ${p.observers} observer clients that decode every awareness ` +
        'message; the others only receive. "final states seen": each observer ends up with every ' +
        'other client\'s last state. "changes seen": awareness entries the observers received per ' +
        'change sent (below 1: a server coalesced or dropped changes; above 1: it repeated states).',
      '',
    );
    const rows: string[][] = [];
    for (const s of pres) {
      for (const t of mainTargets) {
        const rs = recs(s.id, t.id);
        if (rs.length === 0) continue;
        rows.push([
          s.params.kind === 'presence' ? String(s.params.clients) : s.id,
          t.label,
          cell(rs.map((r) => pct(r.window?.serverCpuMs, r.window?.ms))),
          cell(
            rs.map((r) => (r.load ? (r.load.extra['serverBytesPerSec'] ?? 0) / 1024 : undefined)),
          ),
          cell(rs.map((r) => r.load?.latency?.p50)),
          cell(rs.map((r) => r.load?.latency?.p95)),
          cell(rs.map((r) => r.load?.latency?.p99)),
          deliveredCell(rs),
          cell(rs.map((r) => r.load?.extra['awarenessSeenRatio'])),
          cell(rs.map((r) => r.serverHwmKb / 1024)),
          cell(rs.map((r) => pct(r.window?.loadCpuMs, r.window?.ms))),
          okCell(rs, (r) => !!r.load?.canaryOk),
        ]);
      }
    }
    out.push(
      table(
        [
          'N',
          'target',
          'server CPU %',
          'server sent KB/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'final states seen',
          'changes seen',
          'server peak RSS MB',
          'load CPU %',
          'canary',
        ],
        rows,
      ),
      '',
    );
  }

  const cold = scenarios.find((s) => s.id === 'coldload');
  if (cold && cold.params.kind === 'coldload') {
    const p = cold.params;
    out.push(
      `## coldload — a report built from ${p.edits} edits of ${p.editChars} chars at random places, ` +
        `stored and unloaded; ${p.loads} cold load(s) per run`,
      '',
    );
    const rows = mainTargets
      .map((t) => [t, recs('coldload', t.id)] as const)
      .filter(([, rs]) => rs.length > 0)
      .map(([t, rs]) => {
        const perLoad = (r: RunRecord, of: (w: Window) => number) =>
          r.coldWindows.length > 0
            ? r.coldWindows.reduce((s, w) => s + of(w), 0) / r.coldWindows.length
            : undefined;
        const perRep = (r: RunRecord) => {
          const v = Object.entries(r.load?.extra ?? {})
            .filter(([k]) => k.startsWith('coldLoadMs.'))
            .map(([, x]) => x);
          return v.length > 0 ? medianOf(v) : undefined;
        };
        return [
          t.label,
          cell(rs.map((r) => (r.load?.extra['textChars'] ?? Number.NaN) / 1e6)),
          cell(rs.map((r) => (r.load?.extra['updateBytes'] ?? Number.NaN) / 1e6)),
          cell(rs.map(perRep)),
          cell(rs.map((r) => perLoad(r, (w) => w.serverCpuMs))),
          cell(rs.map((r) => perLoad(r, (w) => w.serverMinorFaults))),
          deliveredCell(rs),
          cell(rs.map((r) => r.serverHwmKb / 1024)),
          okCell(rs, (r) => !!r.load?.canaryOk),
          openCell(rs),
          t.coldloadNote,
        ];
      });
    out.push(
      table(
        [
          'target',
          'text MB',
          'update MB',
          'connect→synced ms',
          'server CPU ms/load',
          'server page faults/load',
          'complete',
          'server peak RSS MB',
          'canary',
          'docs in memory at cold start',
          'unloaded?',
        ],
        rows,
      ),
      '',
    );
  }

  const conn = scenarios.find((s) => s.id === 'connect');
  if (conn && conn.params.kind === 'connect') {
    const n = conn.params.clients;
    out.push(
      `## connect — ${n} clients join one document (${conn.params.concurrency} handshakes in flight, ${conn.params.seedEdits} edits in it)`,
      '',
    );
    const rows = mainTargets
      .map((t) => [t, recs('connect', t.id)] as const)
      .filter(([, rs]) => rs.length > 0)
      .map(([t, rs]) => [
        t.label,
        cell(rs.map((r) => r.window?.serverCpuMs)),
        cell(rs.map((r) => (r.window ? r.window.serverCpuMs / n : undefined))),
        cell(rs.map((r) => (r.window ? (r.serverRssEndKb - r.serverRssStartKb) / n : undefined))),
        cell(rs.map((r) => r.load?.extra['connectAllMs'])),
        cell(rs.map((r) => r.load?.latency?.p50)),
        cell(rs.map((r) => r.load?.latency?.p99)),
        deliveredCell(rs),
        cell(rs.map((r) => r.serverHwmKb / 1024)),
        cell(rs.map((r) => pct(r.window?.loadCpuMs, r.window?.ms))),
        okCell(rs, (r) => !!r.load?.canaryOk),
      ]);
    out.push(
      table(
        [
          'target',
          'server CPU ms (all)',
          'server CPU ms/conn',
          'RSS KB/conn',
          'all connected ms',
          'handshake p50 ms',
          'handshake p99 ms',
          'synced',
          'server peak RSS MB',
          'load CPU %',
          'canary',
        ],
        rows,
      ),
      '',
    );
  }

  const unlocked = recs('storm', 'concord');
  const locked = recs('storm', 'concord-locked');
  if (unlocked.length > 0 && locked.length > 0) {
    const cpuPerDelivery = (rs: RunRecord[]) =>
      medianOf(
        rs.map((r) => {
          const dps = Number(r.load?.extra['deliveriesPerSec']);
          const ms = r.window?.ms;
          return ms && dps
            ? ((r.window?.serverCpuMs ?? Number.NaN) * 1e6) / (dps * ms)
            : Number.NaN;
        }),
      );
    const a = cpuPerDelivery(unlocked);
    const b = cpuPerDelivery(locked);
    out.push(
      '## lock cost — Concord storm, nothing locked vs 100 agreed paragraphs (medians)',
      '',
      table(
        ['metric', 'none locked', '100 locked', '100 / none'],
        [
          [
            'server CPU µs per delivery',
            num(a),
            num(b),
            Number.isFinite(b / a) ? (b / a).toFixed(2) : '—',
          ],
        ],
      ),
      '',
    );
  }

  const full = recs('storm', 'concord');
  const off = recs('storm', 'concord-sync-off');
  if (full.length > 0 && off.length > 0) {
    const p50 = (rs: RunRecord[]) => medianOf(rs.map((r) => r.load?.latency?.p50));
    const dps = (rs: RunRecord[]) => medianOf(rs.map((r) => r.load?.extra['deliveriesPerSec']));
    const cpu = (rs: RunRecord[]) =>
      medianOf(rs.map((r) => pct(r.window?.serverCpuMs, r.window?.ms)));
    const row = (name: string, f: (rs: RunRecord[]) => number) => {
      const a = f(full);
      const b = f(off);
      return [name, num(a), num(b), Number.isFinite(a / b) ? (a / b).toFixed(2) : '—'];
    };
    out.push(
      '## durability cost — Concord storm, CONCORD_SQLITE_SYNCHRONOUS=FULL vs OFF (medians)',
      '',
      table(
        ['metric', 'FULL', 'OFF', 'FULL / OFF'],
        [row('storm p50 ms', p50), row('deliveries/s', dps), row('server CPU %', cpu)],
      ),
      '',
    );
  }

  const notes: string[] = [];
  const threadsOf = (r: RunRecord) => r.load?.extra['loadThreads'] ?? 1;
  const hot = records.filter((r) => {
    const lp = pct(r.window?.loadCpuMs, r.window?.ms) ?? 0;
    return lp / threadsOf(r) >= 85 || (r.load?.extra['loadLoopDelayP99Ms'] ?? 0) > 200;
  });
  for (const r of hot) {
    const threads = threadsOf(r) > 1 ? ` over ${threadsOf(r)} threads` : '';
    notes.push(
      `Load generator near saturation in ${r.scenario.id} / ${label(r.target)} rep ${r.rep}: ` +
        `${num(pct(r.window?.loadCpuMs, r.window?.ms) ?? 0)}% CPU${threads}, event-loop delay p99 ` +
        `${num(r.load?.extra['loadLoopDelayP99Ms'] ?? 0)} ms — its latencies include harness queueing.`,
    );
  }
  for (const s of input.skipped) notes.push(`Skipped ${s}.`);
  if (input.profileDir) {
    notes.push(`CPU profiles of the servers: ${path.relative(ROOT, input.profileDir)}/`);
  }
  if (notes.length > 0) out.push('## notes', '', ...notes.map((n) => `- ${n}`), '');
  out.push('## correctness', '');
  if (input.failures.length === 0) {
    out.push(
      'Every run delivered everything, converged, and its canary synced the same state.',
      '',
    );
  } else {
    out.push(...input.failures.map((f) => `- ${f}`), '');
  }
  return out.join('\n');
}
