/**
 * Login limits. Both are taken before the (slow, deliberately expensive) password check, so
 * requests sent in parallel cannot all reach it:
 * - per client address (an IPv6 client per /64): every attempt, through @fastify/rate-limit,
 *   whose store is what a scaled-out deployment swaps for Redis;
 * - per account: failures only. A slot is reserved before the check and kept if the password
 *   was wrong; a success clears the account. @fastify/rate-limit's stores cannot give a slot
 *   back, so this counter is ours, behind the same two calls a Redis version would implement.
 */
import { normalizeIP } from '@fastify/rate-limit';

/** The login window both limits count in. */
export const LOGIN_WINDOW_MS = 15 * 60_000;

/** "Try again in 12 minutes (after 14:32 UTC)": when a refused login may be tried again. */
export function retryText(waitMs: number, now = Date.now()): string {
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  const at = new Date(now + waitMs).toISOString().slice(11, 16);
  return `Try again in ${minutes} minute${minutes === 1 ? '' : 's'} (after ${at} UTC)`;
}

/** The key an address is limited under: IPv4 as is (also when IPv4-mapped), IPv6 by its /64. */
export function addressKey(ip: string): string {
  return normalizeIP(ip, 64);
}

/** Failures per key in a sliding window, reserved before the outcome is known. */
export class FailureLimit {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  private recent(key: string, now: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length === 0) this.hits.delete(key);
    else this.hits.set(key, list);
    return list;
  }

  /**
   * Takes a slot for one attempt: 0 when taken (the attempt may go ahead), else the milliseconds
   * until one frees up (nothing taken). Synchronous, so parallel requests are counted in order.
   */
  reserve(key: string, now = Date.now()): number {
    const list = this.recent(key, now);
    if (list.length >= this.limit) return this.windowMs - (now - list[list.length - this.limit]!);
    list.push(now);
    this.hits.set(key, list);
    if (this.hits.size > 100_000) this.prune(now);
    return 0;
  }

  /** The attempt succeeded, or a chair unlocked the account: it starts afresh. */
  clear(key: string): void {
    this.hits.delete(key);
  }

  /** True while `key` may not try again (its failures fill the window). */
  isLocked(key: string, now = Date.now()): boolean {
    return this.recent(key, now).length >= this.limit;
  }

  private prune(now: number): void {
    for (const key of [...this.hits.keys()]) this.recent(key, now);
  }
}
