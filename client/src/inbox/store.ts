/**
 * The signed-in user's inbox (mentions and replies to their threads, in every report of every
 * group), kept current by polling GET /api/inbox.
 *
 * Why polling: an item can come from any report, not only the one open (whose sync socket
 * carries only its own events), and what a user may see also changes with their role. A poll
 * every INBOX_POLL_MS while the page is visible, with If-None-Match, costs one indexed SQLite
 * read per user and an empty 304 when nothing changed; 193 delegations of a few people each
 * make a few dozen such requests a second at most, with no socket per user to keep, authorize
 * or close on logout. The page polls at once when it becomes visible again, comes back
 * online, or when a thread of the open report changes (`nudge`), so what happens in front of
 * the user shows without waiting.
 */
import { batch, signal } from '@preact/signals';
import type { InboxItem, InboxResponse } from '../../../shared/comments.js';
import { request as call, reportUnauthorized } from '../api.js';

/** How often a visible page asks for the inbox. */
export const INBOX_POLL_MS = 15_000;

const enc = encodeURIComponent;

/** Opens a thread of the report on screen; false when that report is not the one open. */
export type ThreadJumper = (reportId: string, threadId: string) => boolean;

export class InboxStore {
  private readonly itemList = signal<readonly InboxItem[]>([]);
  private readonly unreadCount = signal(0);
  private readonly loadedFlag = signal(false);
  private etag: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private nudgeTimer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private inFlight: Promise<void> | null = null;
  private again = false;
  /** Bumped by stop(): an answer to a request made before it is dropped (another account). */
  private generation = 0;
  private jumper: ThreadJumper | null = null;

  constructor() {
    document.addEventListener('visibilitychange', () => {
      if (this.running && document.visibilityState === 'visible') void this.refresh();
    });
    window.addEventListener('online', () => {
      if (this.running) void this.refresh();
    });
  }

  /** The newest items first (at most INBOX_LIST_MAX). */
  get items(): readonly InboxItem[] {
    return this.itemList.value;
  }

  /** How many items are unread (all of them, not only those listed). */
  get unread(): number {
    return this.unreadCount.value;
  }

  /** False until the first answer. */
  get loaded(): boolean {
    return this.loadedFlag.value;
  }

  /** Starts polling (after a login); idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.refresh();
  }

  /** Stops polling and forgets the items (after a logout or another user's login). */
  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.nudgeTimer) clearTimeout(this.nudgeTimer);
    this.timer = this.nudgeTimer = null;
    this.again = false;
    this.generation++;
    this.etag = null;
    batch(() => {
      this.itemList.value = [];
      this.unreadCount.value = 0;
      this.loadedFlag.value = false;
    });
  }

  /** Something may have changed (a thread event of the open report): asks soon, once. */
  nudge(): void {
    if (!this.running || this.nudgeTimer) return;
    this.nudgeTimer = setTimeout(() => {
      this.nudgeTimer = null;
      void this.refresh();
    }, 300);
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // A hidden page does not poll; it asks again when it becomes visible.
      if (document.visibilityState === 'visible') void this.refresh();
      else this.schedule();
    }, INBOX_POLL_MS);
  }

  /**
   * Asks the server now. While a request is on its way, one more is made after it (the change
   * that prompted this call may have come after the server answered the first).
   */
  refresh(): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.fetchInbox().finally(() => {
      this.inFlight = null;
      if (this.again) {
        this.again = false;
        void this.refresh();
      } else this.schedule();
    });
    return this.inFlight;
  }

  private async fetchInbox(): Promise<void> {
    const generation = this.generation;
    const current = () => this.running && generation === this.generation;
    let response: Response;
    try {
      response = await fetch('/api/inbox', {
        credentials: 'same-origin',
        // The ETag is ours to send: the HTTP cache stays out of it, so a 304 reaches us as is.
        cache: 'no-store',
        headers: {
          accept: 'application/json',
          ...(this.etag ? { 'if-none-match': this.etag } : {}),
        },
      });
    } catch {
      return; // Offline: the next poll (or coming back online) tries again.
    }
    if (!current() || response.status === 304) return;
    if (response.status === 401) {
      reportUnauthorized('Your session has ended. Log in again.');
      return;
    }
    if (!response.ok) return;
    const data = (await response.json()) as InboxResponse;
    if (!current()) return;
    this.etag = response.headers.get('etag');
    batch(() => {
      this.itemList.value = data.items;
      this.unreadCount.value = data.unread;
      this.loadedFlag.value = true;
    });
  }

  /** Marks one item read on the server (the same on every device), at once on this page. */
  async markRead(messageId: string): Promise<void> {
    const items = this.itemList.peek();
    const marked = items.filter((i) => i.messageId === messageId && i.unread).length;
    if (marked > 0) {
      batch(() => {
        this.itemList.value = items.map((i) =>
          i.messageId === messageId && i.unread ? { ...i, unread: false } : i,
        );
        this.unreadCount.value = Math.max(0, this.unreadCount.peek() - marked);
      });
    }
    try {
      await call('POST', `/api/inbox/${enc(messageId)}/read`);
    } finally {
      void this.refresh();
    }
  }

  /** Marks every item read. */
  async markAllRead(): Promise<void> {
    batch(() => {
      this.itemList.value = this.itemList
        .peek()
        .map((i) => (i.unread ? { ...i, unread: false } : i));
      this.unreadCount.value = 0;
    });
    try {
      await call('POST', '/api/inbox/read-all');
    } finally {
      void this.refresh();
    }
  }

  /** The report page registers how it opens one of its threads; the result unregisters it. */
  setJumper(jumper: ThreadJumper): () => void {
    this.jumper = jumper;
    return () => {
      if (this.jumper === jumper) this.jumper = null;
    };
  }

  /** Opens the thread in the report on screen, if it is; false otherwise (navigate instead). */
  jump(reportId: string, threadId: string): boolean {
    return this.jumper?.(reportId, threadId) ?? false;
  }
}

/** The one inbox of the page. */
export const inbox = new InboxStore();
