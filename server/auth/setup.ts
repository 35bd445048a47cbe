/**
 * The one-time setup link printed at the first start on an empty database: whoever opens it
 * creates the first account, as chair of the first group. The token lives in memory only; a
 * restart before setup prints a new one.
 */
import crypto from 'node:crypto';
import { newToken } from './tokens.js';

export class SetupLink {
  private token: string | null = null;
  /** Called once the link has been used (server/main.ts drops it from the announcement). */
  onConsume: (() => void) | null = null;

  /** A fresh token (replacing any previous one). */
  issue(): string {
    this.token = newToken();
    return this.token;
  }

  check(candidate: string): boolean {
    if (!this.token) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.token);
    return a.length === b.length && crypto.timingSafeEqual(a, b);
  }

  consume(): void {
    this.token = null;
    this.onConsume?.();
  }
}
