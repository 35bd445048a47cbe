/**
 * What a bench run records: filled by the harness (harness.ts), rendered by report.ts. Its own
 * module so that the two need not import each other.
 */
import type { TargetId } from './targets.js';
import type { LoadResult, Scenario } from './types.js';

export interface BenchOptions {
  smoke: boolean;
  reps: number;
  /** Scenario ids ('fanout:100') or kinds ('fanout') to run; all when empty. */
  scenarios: string[];
  /** Targets to run; all available when empty. */
  targets: TargetId[];
  /** Write V8 CPU profiles of the servers into tests/bench/results/profiles-<stamp>/. */
  profile: boolean;
  log: (line: string) => void;
}

export interface Window {
  ms: number;
  serverCpuMs: number;
  serverMinorFaults: number;
  loadCpuMs: number;
}

export interface RunRecord {
  target: TargetId;
  scenario: Scenario;
  rep: number;
  load: LoadResult | null;
  /** start → end mark. */
  window: Window | null;
  /** Per cold load: coldN:start → coldN:end. */
  coldWindows: Window[];
  /** Documents the server held at each cold load's start (null: it cannot tell). */
  openAtColdStart: Array<number | null>;
  serverHwmKb: number;
  serverRssStartKb: number;
  serverRssEndKb: number;
  failure: string | null;
}

/** One measurement of the write floor (write-floor.ts) beside a fanout scenario's targets. */
export interface FloorRecord {
  scenarioId: string;
  rep: number;
  /** µs of CPU per bare socket.write; null when the measurement failed (see failure). */
  usPerWrite: number | null;
  failure: string | null;
}
