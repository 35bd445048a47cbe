/**
 * Session expiries of open sockets, kept with one timer for all of them instead of one per
 * socket: every socket of a session expires at the same instant, so the sockets are grouped by
 * that instant, and a single timer is armed for the earliest one.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ExpiryClock<T> {
  private readonly due = new Map<number, Set<T>>();
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(private readonly expire: (item: T) => void) {}

  /** Calls `expire(item)` at epoch ms `at` (at once, on the next tick, when `at` has passed). */
  add(at: number, item: T): void {
    let items = this.due.get(at);
    if (!items) {
      items = new Set();
      this.due.set(at, items);
    }
    items.add(item);
    if (at < this.armedFor) this.arm(at);
  }

  delete(at: number, item: T): void {
    const items = this.due.get(at);
    if (!items?.delete(item)) return;
    if (items.size === 0) this.due.delete(at);
    if (this.due.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.armedFor = Number.POSITIVE_INFINITY;
    }
  }

  /** Items waiting, for tests and diagnostics. */
  get size(): number {
    let n = 0;
    for (const items of this.due.values()) n += items.size;
    return n;
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = at;
    const delay = Math.min(Math.max(at - Date.now(), 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    const expired: T[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const [at, items] of this.due) {
      if (at <= now) {
        this.due.delete(at);
        for (const item of items) expired.push(item);
      } else if (at < next) next = at;
    }
    if (next !== Number.POSITIVE_INFINITY) this.arm(next);
    for (const item of expired) this.expire(item);
  }
}
