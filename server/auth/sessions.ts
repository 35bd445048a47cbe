/**
 * Server-side sessions behind an HttpOnly, SameSite=Strict cookie (Secure and __Host- prefixed
 * when Concord is served over https), read and written with @fastify/cookie. Only the sha256 of the token is stored; a session expires
 * when idle too long or too old, and can be revoked (logout, password change).
 */
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { SessionRecord, Storage, UserRecord } from '../storage/types.js';
import { hashToken, newToken } from './tokens.js';

/** last_seen_at is written at most this often per session. */
const TOUCH_EVERY_MS = 60_000;

export interface ResolvedSession {
  session: SessionRecord;
  user: UserRecord;
  /** Epoch ms at which the session ends even if used. */
  expiresAt: number;
}

export class Sessions {
  readonly cookieName: string;
  private readonly secure: boolean;

  constructor(
    private readonly storage: Storage,
    private readonly config: Config,
  ) {
    this.secure = config.publicUrl?.startsWith('https:') ?? false;
    this.cookieName = this.secure ? '__Host-concord_session' : 'concord_session';
  }

  private get idleMs(): number {
    return this.config.sessionIdleMinutes * 60_000;
  }

  private get maxMs(): number {
    return this.config.sessionMaxHours * 3_600_000;
  }

  async create(userId: string): Promise<{ token: string; session: SessionRecord }> {
    const token = newToken();
    const now = Date.now();
    const session = { tokenHash: hashToken(token), userId, createdAt: now, lastSeenAt: now };
    await this.storage.createSession(session);
    return { token, session };
  }

  /** The session behind a cookie token, or null when unknown or expired (expired ones are deleted). */
  async resolve(token: string | null, now = Date.now()): Promise<ResolvedSession | null> {
    if (!token) return null;
    const tokenHash = hashToken(token);
    const session = await this.storage.getSession(tokenHash);
    if (!session) return null;
    if (now - session.lastSeenAt > this.idleMs || now - session.createdAt > this.maxMs) {
      await this.storage.deleteSession(tokenHash);
      return null;
    }
    const user = await this.storage.getUser(session.userId);
    if (!user) return null;
    if (now - session.lastSeenAt > TOUCH_EVERY_MS) {
      await this.storage.touchSession(tokenHash, now);
      session.lastSeenAt = now;
    }
    return { session, user, expiresAt: session.createdAt + this.maxMs };
  }

  /** The session token from the cookie (parsed by @fastify/cookie), when it is well formed. */
  tokenFrom(req: FastifyRequest): string | null {
    const value = req.cookies[this.cookieName];
    return value !== undefined && /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
  }

  private attributes(maxAgeSeconds: number): CookieSerializeOptions {
    return {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: this.secure,
      maxAge: maxAgeSeconds,
    };
  }

  setCookie(reply: FastifyReply, token: string): void {
    reply.setCookie(this.cookieName, token, this.attributes(Math.floor(this.maxMs / 1000)));
  }

  clearCookie(reply: FastifyReply): void {
    reply.setCookie(this.cookieName, '', this.attributes(0));
  }
}
