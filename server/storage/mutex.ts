/** A lock for asynchronous code: one holder at a time, waiters served in arrival order. */
export class Mutex {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  get locked(): boolean {
    return this.held;
  }

  /** Takes the lock now if it is free (true), without waiting. */
  tryAcquire(): boolean {
    if (this.held) return false;
    this.held = true;
    return true;
  }

  /** Resolves once the lock is ours; call `release` exactly once afterwards. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Hands the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }

  /** Resolves when the lock is free (without taking it). */
  async idle(): Promise<void> {
    while (this.held) {
      await this.acquire();
      this.release();
    }
  }
}
