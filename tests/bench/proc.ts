/**
 * Process measurements from /proc (Linux): CPU time (utime+stime, plus reaped children) and
 * memory (VmRSS, VmHWM) of a whole process tree, and small helpers for child processes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

let ticks = 100;
try {
  ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // getconf missing: Linux' USER_HZ is 100 everywhere that matters
}
/** Milliseconds per clock tick: the resolution of every CPU number. */
export const MS_PER_TICK = 1000 / ticks;

interface Stat {
  ppid: number;
  cpuTicks: number;
  minorFaults: number;
}

function readStat(pid: number): Stat | null {
  let raw: string;
  try {
    raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm may contain spaces and parentheses: the fields start after the last ')'.
  const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  // f[0] = state (field 3); minflt = field 10, cminflt 11; utime 14, stime 15, cutime 16,
  // cstime 17.
  const n = (i: number) => Number(f[i - 3]);
  return { ppid: n(4), cpuTicks: n(14) + n(15) + n(16) + n(17), minorFaults: n(10) + n(11) };
}

function readStatusKb(pid: number, key: string): number {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(s);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** `root` and its live descendants. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const st = readStat(Number(e));
    if (!st) continue;
    const list = children.get(st.ppid);
    if (list) list.push(Number(e));
    else children.set(st.ppid, [Number(e)]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0 && out.length < 10_000) {
    const pid = stack.pop()!;
    out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

export interface ProcSample {
  /** performance.now() of the harness when sampled. */
  at: number;
  cpuMs: number;
  /**
   * Minor page faults (first touch of fresh memory). On a virtual machine each one can cost
   * microseconds of system time, so a large fresh buffer is visible in CPU time.
   */
  minorFaults: number;
  rssKb: number;
  hwmKb: number;
}

/** CPU and memory of a process tree, summed over its processes. */
export function sampleTree(root: number): ProcSample {
  let cpu = 0;
  let rss = 0;
  let hwm = 0;
  let faults = 0;
  for (const pid of processTree(root)) {
    const st = readStat(pid);
    if (!st) continue;
    cpu += st.cpuTicks;
    faults += st.minorFaults;
    rss += readStatusKb(pid, 'VmRSS');
    hwm += readStatusKb(pid, 'VmHWM');
  }
  return {
    at: performance.now(),
    cpuMs: cpu * MS_PER_TICK,
    minorFaults: faults,
    rssKb: rss,
    hwmKb: hwm,
  };
}

/** A free TCP port on 127.0.0.1 (released again: the caller binds it right away). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** Like sleep, but does not keep the process alive: for the losing side of a Promise.race. */
export const deadline = (ms: number) =>
  new Promise<void>((r) => setTimeout(r, Math.max(0, ms)).unref());

/** Polls an HTTP URL until it answers 200, the process died, or the time is up. */
export async function waitHttpOk(
  url: string,
  timeoutMs: number,
  alive: () => boolean,
): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end && alive()) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  return false;
}
