/**
 * Comment threads of one report: the HTTP calls, the store (threads by id, the last event seq),
 * pushed events, the unread state, and sends that failed (kept with their idempotency key and
 * retried with the same key, so a retry never duplicates a message).
 *
 * State lives in signals and is replaced, never mutated (a new Map, a new PendingSend), so a
 * view that keeps the previous value can tell by identity what changed. Components read the
 * getters; other code listens with `subscribe`.
 */
import { batch, effect, signal, untracked } from '@preact/signals';
import type {
  ThreadKind,
  ThreadListResponse,
  ThreadView,
  ThreadVisibility,
} from '../../../shared/comments.js';
import type { ReportEvent } from '../../../shared/events.js';
import type {
  EditMessageRequest,
  NewThreadRequest,
  ReplyRequest,
} from '../../../shared/routes/comments.js';
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
  readonly key: string;
  readonly what: 'thread' | 'reply';
  /** The thread replied to (reply) or the paragraph (thread). */
  readonly threadId: string | null;
  readonly paragraphId: string;
  readonly body: string;
  /** The request's body without its idempotency key (added at each send). */
  readonly payload: Omit<NewThreadRequest, 'idempotencyKey'> | Omit<ReplyRequest, 'idempotencyKey'>;
  readonly state: 'sending' | 'failed';
  readonly error: string;
  /** The failure was the network or the server (not a refusal): sent again on reconnection. */
  readonly retryable: boolean;
}

function newKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The createdAt of a thread's newest message ('' when it has none). */
function lastMessageAt(thread: ThreadView): string {
  let last = '';
  for (const m of thread.messages) if (m.createdAt > last) last = m.createdAt;
  return last;
}

export class ThreadStore {
  private readonly threadMap = signal<ReadonlyMap<string, ThreadView>>(new Map());
  private readonly pendingList = signal<readonly PendingSend[]>([]);
  /** Thread id → the createdAt of the newest message the user has seen. */
  private readonly seenMap = signal<ReadonlyMap<string, string>>(new Map());
  private readonly loadedFlag = signal(false);
  private readonly user = signal('');
  /** The last event seq applied (the catch-up cursor; not shown). */
  seq = 0;

  constructor(readonly reportId: string) {}

  /** The threads the user may see, by id. */
  get threads(): ReadonlyMap<string, ThreadView> {
    return this.threadMap.value;
  }

  /** Sends not yet confirmed by the server, oldest first. */
  get pending(): readonly PendingSend[] {
    return this.pendingList.value;
  }

  /** True once the list has been read from the server. */
  get loaded(): boolean {
    return this.loadedFlag.value;
  }

  get userId(): string {
    return this.user.value;
  }

  /** Listens to any change (threads, sends, read state); not called at once. */
  subscribe(listener: () => void): () => void {
    let first = true;
    return effect(() => {
      void this.threadMap.value;
      void this.pendingList.value;
      void this.seenMap.value;
      void this.loadedFlag.value;
      if (first) {
        first = false;
        return;
      }
      untracked(listener);
    });
  }

  private setPending(next: readonly PendingSend[]): void {
    this.pendingList.value = next;
    this.savePending();
  }

  private pendingKey(): string {
    return `concord.pending.${this.user.peek()}.${this.reportId}`;
  }

  /** Unconfirmed sends outlive a reload (same browser, same account). */
  private savePending(): void {
    if (!this.user.peek()) return;
    const pending = this.pendingList.peek();
    try {
      if (pending.length === 0) localStorage.removeItem(this.pendingKey());
      else localStorage.setItem(this.pendingKey(), JSON.stringify(pending));
    } catch {
      // No storage: they live as long as the page.
    }
  }

  private loadPending(): PendingSend[] {
    const out: PendingSend[] = [];
    try {
      const raw = localStorage.getItem(this.pendingKey());
      const saved = raw ? (JSON.parse(raw) as PendingSend[]) : [];
      for (const send of Array.isArray(saved) ? saved : []) {
        if (typeof send?.key !== 'string' || out.some((p) => p.key === send.key)) continue;
        // Whatever was on its way when the page went is retried, with its own key.
        out.push({ ...send, state: 'failed', retryable: true, error: send.error || '' });
      }
    } catch {
      // Unreadable: nothing to restore.
    }
    return out;
  }

  setUser(userId: string): void {
    if (this.user.peek() === userId) return;
    // Markers the server sent before the user was known are theirs: kept, merged with local ones.
    const fromServer = this.user.peek() === '' ? this.seenMap.peek() : new Map<string, string>();
    batch(() => {
      this.user.value = userId;
      let seen: Map<string, string>;
      try {
        const raw = localStorage.getItem(this.seenKey());
        seen = new Map(raw ? (JSON.parse(raw) as [string, string][]) : []);
      } catch {
        seen = new Map();
      }
      for (const [id, at] of fromServer) if (at > (seen.get(id) ?? '')) seen.set(id, at);
      this.seenMap.value = seen;
      this.pendingList.value = this.loadPending();
    });
  }

  private saveSeen(): void {
    try {
      localStorage.setItem(this.seenKey(), JSON.stringify([...this.seenMap.peek()]));
    } catch {
      // Private mode: the server's markers still hold.
    }
  }

  private seenKey(): string {
    return `concord.seen.${this.user.peek()}.${this.reportId}`;
  }

  /** Fetches the threads; `replace` drops those no longer listed (the audience changed). */
  async load(replace = false): Promise<void> {
    const data = await call<ThreadListResponse>(
      'GET',
      `/api/reports/${enc(this.reportId)}/threads`,
    );
    batch(() => {
      const threads = new Map(replace ? [] : this.threadMap.peek());
      for (const t of data.threads) this.put(threads, t);
      this.threadMap.value = threads;
      // The server's read markers (the same on every device) seed the local ones.
      let seen: Map<string, string> | null = null;
      for (const [id, mark] of Object.entries(data.reads ?? {})) {
        if (mark.lastMessageAt > ((seen ?? this.seenMap.peek()).get(id) ?? '')) {
          seen ??= new Map(this.seenMap.peek());
          seen.set(id, mark.lastMessageAt);
        }
      }
      if (seen) {
        this.seenMap.value = seen;
        this.saveSeen();
      }
      this.seq = Math.max(this.seq, data.seq);
      this.loadedFlag.value = true;
    });
  }

  /** A pushed event (MessageType.Event). */
  applyEvent(event: ReportEvent): void {
    if (event.type !== 'thread' || !event.thread) return;
    this.accept(event.thread);
    this.seq = Math.max(this.seq, event.seq);
  }

  /** Puts a thread in `into` unless what is there is newer; true when it went in. */
  private put(into: Map<string, ThreadView>, thread: ThreadView): boolean {
    const old = into.get(thread.id);
    if (old && old.seq > thread.seq) return false;
    into.set(thread.id, thread);
    return true;
  }

  private accept(thread: ThreadView): void {
    const threads = new Map(this.threadMap.peek());
    if (this.put(threads, thread)) this.threadMap.value = threads;
  }

  /** True when the thread has a message by someone else newer than what the user has seen. */
  isUnread(thread: ThreadView): boolean {
    const seen = this.seenMap.value.get(thread.id) ?? '';
    const me = this.user.value;
    return thread.messages.some((m) => !m.deleted && m.author.id !== me && m.createdAt > seen);
  }

  /** The thread was opened in the panel: everything in it is seen. */
  markSeen(thread: ThreadView): void {
    if (!untracked(() => this.isUnread(thread))) return;
    const seen = new Map(this.seenMap.peek());
    seen.set(thread.id, lastMessageAt(thread));
    this.seenMap.value = seen;
    this.saveSeen();
    void call('POST', `/api/threads/${enc(thread.id)}/read`).catch(() => {});
  }

  createThread(input: NewThread): Promise<void> {
    const { quote, proposal, ...rest } = input;
    const payload: Omit<NewThreadRequest, 'idempotencyKey'> = {
      ...rest,
      ...(quote ? { quote } : {}),
      ...(input.kind === 'proposal' && proposal !== undefined ? { proposal } : {}),
    };
    return this.send({
      key: newKey(),
      what: 'thread',
      threadId: null,
      paragraphId: input.paragraphId,
      body: input.body,
      payload,
      state: 'sending',
      error: '',
      retryable: false,
    });
  }

  reply(thread: ThreadView, body: string, mentions: string[] = []): Promise<void> {
    return this.send({
      key: newKey(),
      what: 'reply',
      threadId: thread.id,
      paragraphId: thread.paragraphId,
      body,
      payload: { body, ...(mentions.length ? { mentions } : {}) },
      state: 'sending',
      error: '',
      retryable: false,
    });
  }

  /** Sends again with the same idempotency key. */
  retry(send: PendingSend): Promise<void> {
    return this.send(send);
  }

  /** Back online: sends again, with their own keys, what failed for want of a connection. */
  retryFailed(): void {
    for (const send of this.pendingList.peek()) {
      if (send.state === 'failed' && send.retryable) void this.send(send);
    }
  }

  discard(send: PendingSend): void {
    this.setPending(this.pendingList.peek().filter((p) => p.key !== send.key));
  }

  /** Replaces (or adds) the pending send with `send.key`. */
  private updatePending(send: PendingSend): void {
    const list = this.pendingList.peek();
    const i = list.findIndex((p) => p.key === send.key);
    this.setPending(i < 0 ? [...list, send] : list.map((p, j) => (j === i ? send : p)));
  }

  private async send(send: PendingSend): Promise<void> {
    this.updatePending({ ...send, state: 'sending', error: '' });
    const path =
      send.what === 'thread'
        ? `/api/reports/${enc(this.reportId)}/threads`
        : `/api/threads/${enc(send.threadId ?? '')}/messages`;
    try {
      const { thread } = await call<{ thread: ThreadView }>('POST', path, {
        ...send.payload,
        idempotencyKey: send.key,
      });
      batch(() => {
        this.discard(send);
        this.accept(thread);
      });
    } catch (error) {
      this.updatePending({
        ...send,
        state: 'failed',
        error: errorMessage(error),
        retryable: !(error instanceof ApiRequestError) || error.status === 0 || error.status >= 500,
      });
    }
  }

  async editMessage(messageId: string, body: string): Promise<void> {
    const { thread } = await call<{ thread: ThreadView }>(
      'PATCH',
      `/api/messages/${enc(messageId)}`,
      { body } satisfies EditMessageRequest,
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
