/**
 * Comment threads of one report: the HTTP calls, the store (threads by id, the last event seq),
 * pushed events, the unread state, and sends that failed (kept with their idempotency key and
 * retried with the same key, so a retry never duplicates a message).
 */
import type {
  ReportEvent,
  ThreadKind,
  ThreadListResponse,
  ThreadView,
  ThreadVisibility,
} from '../../../shared/comments.js';
import { ApiRequestError, request as call, errorMessage } from '../api.js';

const enc = encodeURIComponent;

export interface NewThread {
  paragraphId: string;
  kind: ThreadKind;
  visibility: ThreadVisibility;
  body: string;
  quote?: string;
  proposal?: string;
}

/** A create or reply that has not been confirmed by the server. */
export interface PendingSend {
  key: string;
  what: 'thread' | 'reply';
  /** The thread replied to (reply) or the paragraph (thread). */
  threadId: string | null;
  paragraphId: string;
  body: string;
  payload: Record<string, unknown>;
  state: 'sending' | 'failed';
  error: string;
  /** The failure was the network or the server (not a refusal): sent again on reconnection. */
  retryable: boolean;
}

function newKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class ThreadStore {
  readonly threads = new Map<string, ThreadView>();
  seq = 0;
  loaded = false;
  readonly pending: PendingSend[] = [];
  private readonly listeners = new Set<() => void>();
  /** Thread id → the createdAt of the newest message the user has seen. */
  private seen = new Map<string, string>();
  userId = '';

  constructor(readonly reportId: string) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    this.savePending();
    for (const l of this.listeners) l();
  }

  private pendingKey(): string {
    return `concord.pending.${this.userId}.${this.reportId}`;
  }

  /** Unconfirmed sends outlive a reload (same browser, same account). */
  private savePending(): void {
    if (!this.userId) return;
    try {
      if (this.pending.length === 0) localStorage.removeItem(this.pendingKey());
      else localStorage.setItem(this.pendingKey(), JSON.stringify(this.pending));
    } catch {
      // No storage: they live as long as the page.
    }
  }

  private loadPending(): void {
    try {
      const raw = localStorage.getItem(this.pendingKey());
      const saved = raw ? (JSON.parse(raw) as PendingSend[]) : [];
      for (const send of Array.isArray(saved) ? saved : []) {
        if (typeof send?.key !== 'string' || this.pending.some((p) => p.key === send.key)) continue;
        // Whatever was on its way when the page went is retried, with its own key.
        this.pending.push({ ...send, state: 'failed', retryable: true, error: send.error || '' });
      }
    } catch {
      // Unreadable: nothing to restore.
    }
  }

  setUser(userId: string): void {
    if (this.userId === userId) return;
    // Markers the server sent before the user was known are theirs: kept, merged with local ones.
    const fromServer = this.userId === '' ? this.seen : new Map<string, string>();
    this.userId = userId;
    try {
      const raw = localStorage.getItem(this.seenKey());
      this.seen = new Map(raw ? (JSON.parse(raw) as [string, string][]) : []);
    } catch {
      this.seen = new Map();
    }
    for (const [id, at] of fromServer) if (at > (this.seen.get(id) ?? '')) this.seen.set(id, at);
    this.pending.length = 0;
    this.loadPending();
  }

  private saveSeen(): void {
    try {
      localStorage.setItem(this.seenKey(), JSON.stringify([...this.seen]));
    } catch {
      // Private mode: the server's markers still hold.
    }
  }

  private seenKey(): string {
    return `concord.seen.${this.userId}.${this.reportId}`;
  }

  /** Fetches the threads; `replace` drops those no longer listed (the audience changed). */
  async load(replace = false): Promise<void> {
    const data = await call<ThreadListResponse>(
      'GET',
      `/api/reports/${enc(this.reportId)}/threads`,
    );
    if (replace) this.threads.clear();
    for (const t of data.threads) this.put(t);
    // The server's read markers (the same on every device) seed the local ones.
    let seeded = false;
    for (const [id, mark] of Object.entries(data.reads ?? {})) {
      if (mark.lastMessageAt > (this.seen.get(id) ?? '')) {
        this.seen.set(id, mark.lastMessageAt);
        seeded = true;
      }
    }
    if (seeded) this.saveSeen();
    this.seq = Math.max(this.seq, data.seq);
    this.loaded = true;
    this.emit();
  }

  /** A pushed event (MessageType.Event). */
  applyEvent(event: ReportEvent): void {
    if (event.type !== 'thread' || !event.thread) return;
    this.put(event.thread);
    this.seq = Math.max(this.seq, event.seq);
    this.emit();
  }

  private put(thread: ThreadView): void {
    const old = this.threads.get(thread.id);
    if (old && old.seq > thread.seq) return;
    this.threads.set(thread.id, thread);
  }

  private accept(thread: ThreadView): void {
    this.put(thread);
    this.emit();
  }

  /** True when the thread has a message by someone else newer than what the user has seen. */
  isUnread(thread: ThreadView): boolean {
    const seen = this.seen.get(thread.id) ?? '';
    return thread.messages.some(
      (m) => !m.deleted && m.author.id !== this.userId && m.createdAt > seen,
    );
  }

  /** The thread was opened in the panel: everything in it is seen. */
  markSeen(thread: ThreadView): void {
    if (!this.isUnread(thread)) return;
    const last =
      thread.messages
        .map((m) => m.createdAt)
        .sort()
        .at(-1) ?? '';
    this.seen.set(thread.id, last);
    this.saveSeen();
    this.emit();
    void call('POST', `/api/threads/${enc(thread.id)}/read`).catch(() => {});
  }

  createThread(input: NewThread): Promise<void> {
    const payload: Record<string, unknown> = { ...input };
    if (!input.quote) delete payload['quote'];
    if (input.kind !== 'proposal') delete payload['proposal'];
    const send: PendingSend = {
      key: newKey(),
      what: 'thread',
      threadId: null,
      paragraphId: input.paragraphId,
      body: input.body,
      payload,
      state: 'sending',
      error: '',
      retryable: false,
    };
    this.pending.push(send);
    return this.send(send);
  }

  reply(thread: ThreadView, body: string, mentions: string[] = []): Promise<void> {
    const send: PendingSend = {
      key: newKey(),
      what: 'reply',
      threadId: thread.id,
      paragraphId: thread.paragraphId,
      body,
      payload: { body, ...(mentions.length ? { mentions } : {}) },
      state: 'sending',
      error: '',
      retryable: false,
    };
    this.pending.push(send);
    return this.send(send);
  }

  /** Sends again with the same idempotency key. */
  retry(send: PendingSend): Promise<void> {
    return this.send(send);
  }

  /** Back online: sends again, with their own keys, what failed for want of a connection. */
  retryFailed(): void {
    for (const send of [...this.pending]) {
      if (send.state === 'failed' && send.retryable) void this.send(send);
    }
  }

  discard(send: PendingSend): void {
    const i = this.pending.indexOf(send);
    if (i >= 0) this.pending.splice(i, 1);
    this.emit();
  }

  private async send(send: PendingSend): Promise<void> {
    send.state = 'sending';
    send.error = '';
    this.emit();
    const path =
      send.what === 'thread'
        ? `/api/reports/${enc(this.reportId)}/threads`
        : `/api/threads/${enc(send.threadId ?? '')}/messages`;
    try {
      const { thread } = await call<{ thread: ThreadView }>('POST', path, {
        ...send.payload,
        idempotencyKey: send.key,
      });
      const i = this.pending.indexOf(send);
      if (i >= 0) this.pending.splice(i, 1);
      this.accept(thread);
    } catch (error) {
      send.state = 'failed';
      send.error = errorMessage(error);
      send.retryable =
        !(error instanceof ApiRequestError) || error.status === 0 || error.status >= 500;
      this.emit();
    }
  }

  async editMessage(messageId: string, body: string): Promise<void> {
    const { thread } = await call<{ thread: ThreadView }>(
      'PATCH',
      `/api/messages/${enc(messageId)}`,
      { body },
    );
    this.accept(thread);
  }

  async deleteMessage(messageId: string): Promise<void> {
    const { thread } = await call<{ thread: ThreadView }>(
      'DELETE',
      `/api/messages/${enc(messageId)}`,
    );
    this.accept(thread);
  }

  async action(threadId: string, action: 'resolve' | 'reopen' | 'applied'): Promise<void> {
    const { thread } = await call<{ thread: ThreadView }>(
      'POST',
      `/api/threads/${enc(threadId)}/${action}`,
    );
    this.accept(thread);
  }
}
