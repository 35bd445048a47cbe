import type { LatencySummary } from './types.js';

/** Append-only list of numbers in a growable Float64Array (no per-sample object). */
export class Samples {
  private buf: Float64Array;
  length = 0;

  constructor(initial = 1024) {
    this.buf = new Float64Array(initial);
  }

  add(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  /** Adds every value of `vs`. */
  addAll(vs: ArrayLike<number>): void {
    for (let i = 0; i < vs.length; i++) this.add(vs[i]!);
  }

  /** Forgets every value. */
  clear(): void {
    this.length = 0;
  }

  /** A copy of the values so far. */
  values(): Float64Array {
    return this.buf.slice(0, this.length);
  }

  summary(): LatencySummary | null {
    if (this.length === 0) return null;
    const sorted = this.buf.slice(0, this.length).sort();
    let sum = 0;
    for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
    return {
      count: sorted.length,
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1]!,
      mean: sum / sorted.length,
    };
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median and range of the finite values (NaN entries — a missing measurement — are skipped). */
export function spread(values: readonly number[]): Spread | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return { median, min: v[0]!, max: v[v.length - 1]!, n: v.length };
}
