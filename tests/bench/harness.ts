/**
 * The benchmark harness: starts each target as its own process, runs every scenario against it
 * from a separate load-generator process, samples the server's /proc at the load generator's
 * marks, and renders the results. Targets alternate A B C A B C (rep → scenario → target), so
 * drift of a shared, noisy machine hits all of them alike.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { deadline, type ProcSample, sampleTree } from './proc.js';
import type { BenchOptions, FloorRecord, RunRecord, Window } from './records.js';
import { renderMarkdown } from './report.js';
import { fullScenarios, smokeScenarios, unloadTiming } from './scenarios.js';
import {
  BENCH_DIR,
  ROOT,
  type RunningTarget,
  TARGETS,
  type TargetDef,
  type TargetId,
} from './targets.js';
import type { LoadConfig, LoadMessage, LoadResult, Scenario } from './types.js';

const WRITE_FLOOR = path.join(BENCH_DIR, 'write-floor.ts');

/** Runs write-floor.ts once with the scenario's N and duration, in its own process. */
function measureFloor(readers: number, seconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        WRITE_FLOOR,
        '--sockets',
        String(readers),
        '--seconds',
        String(seconds),
        '--runs',
        '1',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        const parsed = JSON.parse(out.trim().split('\n').at(-1) ?? '') as { usPerWrite: number[] };
        const v = parsed.usPerWrite[0];
        if (code === 0 && typeof v === 'number') return resolve(v);
      } catch {
        // reported below
      }
      reject(new Error(`write floor exited ${code}: ${err.trim().slice(-300)}`));
    });
  });
}

export interface BenchReport {
  records: RunRecord[];
  failures: string[];
  skipped: string[];
  markdown: string;
  startedAt: Date;
  durationMs: number;
}

interface Mark {
  server: ProcSample;
  load: ProcSample;
}

const tsxImport = import.meta.resolve('tsx');
const LOADGEN = path.join(BENCH_DIR, 'loadgen.ts');

function windowOf(a: Mark | undefined, b: Mark | undefined): Window | null {
  if (!a || !b) return null;
  return {
    ms: b.server.at - a.server.at,
    serverCpuMs: b.server.cpuMs - a.server.cpuMs,
    serverMinorFaults: b.server.minorFaults - a.server.minorFaults,
    loadCpuMs: b.load.cpuMs - a.load.cpuMs,
  };
}

/** Runs one scenario against one running target from a fresh load-generator process. */
async function runLoad(
  server: RunningTarget,
  scenario: Scenario,
  smoke: boolean,
): Promise<{
  load: LoadResult | null;
  marks: Map<string, Mark>;
  error: string | null;
  openAtColdStart: Array<number | null>;
}> {
  const conn = await server.prepare();
  const cfg: LoadConfig = { scenario, conn, syncTimeoutMs: smoke ? 10_000 : 30_000 };
  const child: ChildProcess = spawn(
    process.execPath,
    ['--max-semi-space-size=32', '--import', tsxImport, LOADGEN],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', BENCH_LOAD: JSON.stringify(cfg) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let tail = '';
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-3000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const marks = new Map<string, Mark>();
  let load: LoadResult | null = null;
  const openAtColdStart: Array<number | null> = [];
  child.on('message', async (m: LoadMessage) => {
    if (m.type === 'mark') {
      // Before a cold load: ask the server whether the document is really out of memory
      // (before sampling, so the question's cost stays outside the measured window).
      if (/^cold\d+:start$/.test(m.name)) openAtColdStart.push(await server.openDocs());
      const serverSample = sampleTree(server.pid);
      const loadSample = child.pid ? sampleTree(child.pid) : serverSample;
      marks.set(m.name, { server: serverSample, load: loadSample });
      if (child.connected) child.send({ type: 'ack', name: m.name });
    } else if (m.type === 'result') {
      load = m.result;
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const code = await Promise.race([
    exited,
    deadline(scenario.budgetMs + 15_000).then(() => 'timeout' as const),
  ]);
  let error: string | null = null;
  if (code === 'timeout') {
    child.kill('SIGKILL');
    await Promise.race([exited, deadline(5000)]);
    error = `load generator exceeded ${scenario.budgetMs} ms and was killed`;
  } else if (!load) {
    error = `load generator exited with ${code} without a result: ${tail.trim().slice(-1500)}`;
  }
  return { load, marks, error, openAtColdStart };
}

function failureOf(r: RunRecord): string | null {
  const what = `${r.target} ${r.scenario.id} rep ${r.rep}`;
  if (r.failure) return `${what}: ${r.failure}`;
  const l = r.load;
  if (!l) return `${what}: no result`;
  const problems: string[] = [];
  if (l.delivered < l.expected) problems.push(`delivered ${l.delivered}/${l.expected}`);
  if (!l.converged) problems.push(`not converged (${l.convergenceDetail})`);
  if (!l.canaryOk) problems.push(`canary: ${l.canaryDetail}`);
  if (l.errors.length > 0) problems.push(`errors: ${l.errors.slice(0, 3).join('; ')}`);
  return problems.length > 0 ? `${what}: ${problems.join(', ')}` : null;
}

function selectScenarios(all: Scenario[], wanted: string[]): Scenario[] {
  if (wanted.length === 0) return all;
  return all.filter((s) => wanted.includes(s.id) || wanted.includes(s.params.kind));
}

export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const scenarios = selectScenarios(
    opts.smoke ? smokeScenarios() : fullScenarios(),
    opts.scenarios,
  );
  const skipped: string[] = [];
  const missing: string[] = [];
  const targets: TargetDef[] = [];
  for (const t of TARGETS) {
    if (opts.targets.length > 0 && !opts.targets.includes(t.id)) continue;
    const why = t.unavailable();
    if (!why) targets.push(t);
    else if (why.fatal) missing.push(`${t.label}: ${why.reason}`);
    else skipped.push(`${t.label}: ${why.reason}`);
  }
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const profileDir = opts.profile ? path.join(BENCH_DIR, 'results', `profiles-${stamp}`) : null;
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  const unload = unloadTiming(opts.smoke);
  const records: RunRecord[] = [];
  const floors: FloorRecord[] = [];

  // In smoke mode a target's process serves all scenarios (fresh document each): it asserts
  // correctness only, and starting a server per scenario would cost most of the minute.
  const shared = new Map<TargetId, RunningTarget>();
  const startTarget = (t: TargetDef, s: Scenario, rep: number) =>
    t.start({
      coldload: opts.smoke || s.params.kind === 'coldload',
      concordUnloadGraceMs: unload.concordGraceMs,
      profileDir,
      profileName: `${t.id}-${s.id.replace(':', '')}-rep${rep}`,
    });

  try {
    for (let rep = 1; rep <= opts.reps; rep++) {
      for (const scenario of scenarios) {
        for (const target of targets) {
          if (target.only && !target.only.includes(scenario.params.kind)) continue;
          const rec: RunRecord = {
            target: target.id,
            scenario,
            rep,
            load: null,
            window: null,
            coldWindows: [],
            openAtColdStart: [],
            serverHwmKb: 0,
            serverRssStartKb: 0,
            serverRssEndKb: 0,
            failure: null,
          };
          const tRun = performance.now();
          let server: RunningTarget | undefined = shared.get(target.id);
          try {
            if (!server) {
              server = await startTarget(target, scenario, rep);
              if (opts.smoke) shared.set(target.id, server);
            }
            const { load, marks, error, openAtColdStart } = await runLoad(
              server,
              scenario,
              opts.smoke,
            );
            rec.openAtColdStart = openAtColdStart;
            rec.load = load;
            rec.failure = error;
            const start = marks.get('start');
            const end = marks.get('end');
            rec.window = windowOf(start, end);
            rec.serverRssStartKb = start?.server.rssKb ?? 0;
            rec.serverRssEndKb = end?.server.rssKb ?? 0;
            for (let i = 0; marks.has(`cold${i}:start`); i++) {
              const w = windowOf(marks.get(`cold${i}:start`), marks.get(`cold${i}:end`));
              if (w) rec.coldWindows.push(w);
            }
            const last = end ?? [...marks.values()].at(-1);
            rec.serverHwmKb = last?.server.hwmKb ?? sampleTree(server.pid).hwmKb;
            if (!server.alive()) {
              rec.failure = `${target.label} died: ${server.diagnostics()}`;
              shared.delete(target.id);
            }
          } catch (err) {
            rec.failure = (err as Error).message;
          } finally {
            if (server && !opts.smoke) await server.stop();
          }
          records.push(rec);
          const f = failureOf(rec);
          const lat = rec.load?.latency;
          opts.log(
            `[rep ${rep}/${opts.reps}] ${scenario.id.padEnd(11)} ${target.id.padEnd(16)} ` +
              `${((performance.now() - tRun) / 1000).toFixed(1)} s` +
              (rec.load ? `  delivered ${rec.load.delivered}/${rec.load.expected}` : '') +
              (lat ? `  p50 ${lat.p50.toFixed(1)} ms p99 ${lat.p99.toFixed(1)} ms` : '') +
              (rec.window
                ? `  server CPU ${rec.window.serverCpuMs.toFixed(0)} ms / ${rec.window.ms.toFixed(0)} ms` +
                  `  load CPU ${((100 * rec.window.loadCpuMs) / rec.window.ms).toFixed(0)}%`
                : '') +
              (f ? `  FAIL: ${f}` : ''),
          );
        }
        // The floor under "server CPU per delivery", measured in the same repetition with the
        // same N and duration: what one bare socket.write of a ready frame costs (write-floor.ts).
        if (!opts.smoke && scenario.params.kind === 'fanout') {
          const { readers, durationMs } = scenario.params;
          const floor: FloorRecord = {
            scenarioId: scenario.id,
            rep,
            usPerWrite: null,
            failure: null,
          };
          try {
            floor.usPerWrite = await measureFloor(
              readers,
              Math.max(1, Math.round(durationMs / 1000)),
            );
          } catch (err) {
            floor.failure = (err as Error).message;
          }
          floors.push(floor);
          opts.log(
            `[rep ${rep}/${opts.reps}] ${scenario.id.padEnd(11)} ${'write floor'.padEnd(16)} ` +
              (floor.usPerWrite !== null
                ? `${floor.usPerWrite.toFixed(2)} µs CPU per bare socket.write`
                : `FAIL: ${floor.failure}`),
          );
        }
      }
    }
  } finally {
    for (const s of shared.values()) await s.stop();
  }
  const failures = [...missing, ...records.map(failureOf).filter((f): f is string => f !== null)];
  const durationMs = performance.now() - t0;
  const markdown = renderMarkdown({
    records,
    floors,
    targets,
    scenarios,
    skipped,
    failures,
    opts,
    startedAt,
    durationMs,
    profileDir,
  });
  return { records, failures, skipped, markdown, startedAt, durationMs };
}
