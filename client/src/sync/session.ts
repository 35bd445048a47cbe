/**
 * One open report on the sync channel: its Y.Doc, the y-websocket provider, presence, the saved
 * state, the connection notice, and the user's role in the report's group (which decides
 * whether the editor is editable). A session outlives the editor page while it holds changes the
 * server has not confirmed, so leaving a report never drops a word typed offline.
 */
import * as decoding from 'lib0/decoding';
import * as authProtocol from 'y-protocols/auth';
import * as syncProtocol from 'y-protocols/sync';
import { messageSync, WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { ReportEvent } from '../../../shared/events.js';
import {
  CloseCode,
  closeReasonText,
  decodeNoticeBody,
  decodeSavedBody,
  FATAL_CLOSE_CODES,
  MessageType,
  type ServerNotice,
  SYNC_PATH,
  SyncParam,
} from '../../../shared/protocol.js';
import { roleCan } from '../../../shared/roles.js';
import { REPORT_FRAGMENT, SCHEMA_VERSION } from '../../../shared/schema.js';
import { ApiRequestError, getReport, type ReportAccess, reportUnauthorized } from '../api.js';
import { currentMe, onAuthChange, refreshMe, updateMembership } from '../auth.js';
import { ThreadStore } from '../comments/store.js';
import { ConsensusStore } from '../consensus/store.js';
import { presenceUser } from '../identity.js';
import { MetadataStore } from '../report/metadataStore.js';
import { loadLastRevision } from '../revisions/lastRevision.js';
import { copyName, deleteCopy, forgetAllCopies, OfflineCopy, ownPending } from './offlineCopy.js';
import { DurableClocks, type SaveState, saveStateOf } from './saveState.js';

/** How often a failing connection may ask the API why (see probeAccess). */
const PROBE_INTERVAL_MS = 10_000;
/** Retry delay when the role could not be fetched (network trouble). */
const ACCESS_RETRY_MS = 3_000;
/**
 * At most one presence update per this interval leaves the page (the last one always does): the
 * server drops what goes over its presence rate (10 a second), which would leave others seeing
 * a stale caret after fast typing.
 */
const PRESENCE_INTERVAL_MS = 150;

/** A message about the connection, shown in a banner. */
export interface ConnectionNotice {
  text: string;
  /** True when the client has stopped reconnecting (FATAL_CLOSE_CODES). */
  fatal: boolean;
  code: number | null;
}

/** `ws(s)://<host>/sync`: the same origin as the page. */
export function syncServerUrl(location: Location = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${SYNC_PATH}`;
}

export class ReportSession {
  readonly doc = new Y.Doc();
  readonly fragment: Y.XmlFragment;
  readonly provider: WebsocketProvider;
  /** The report's comment threads, kept live by MessageType.Event. */
  readonly threads: ThreadStore;
  /** Paragraph statuses, positions and silences, kept live by the same events. */
  readonly consensus: ConsensusStore;
  /** The document's metadata (masthead), kept current by pushed events. */
  readonly metadata = new MetadataStore();
  /**
   * The one catch-up cursor for both stores: the last event seq both have seen. Starts at the
   * lower of their load seqs (so no event is skipped for either), then follows the events.
   * Null until both are loaded: the socket does not ask for events before then.
   */
  private eventSeq: number | null = null;
  /** True once the first sync with the server completed (the editor waits for it). */
  hasSynced = false;
  saveState: SaveState = 'offline';
  /** Disconnected because the browser went offline; reconnects when it is back online. */
  private pausedOffline = false;
  notice: ConnectionNotice | null = null;
  /** The last message the server sent for the user (MessageType.Notice), until dismissed. */
  serverNotice: ServerNotice | null = null;
  /** Our colour in this report, as the server assigned it (distinct among those present). */
  private presenceColor: string | null = null;
  /** The report and the user's role in its group; null until the server answered. */
  access: ReportAccess | null = null;
  /**
   * The server kept the report as it was where a change from here could not be retracted (a
   * deletion of agreed text): this copy has diverged. Once the server has confirmed everything
   * sent from here (it kept the unrelated parts), the page replaces the session with a fresh one
   * built from the server (`stale`).
   */
  private diverged = false;

  private readonly durable = new DurableClocks();
  /** The name of this user's copy of the report in this browser (null: nobody signed in). */
  private readonly copyName: string | null;
  /** The copy in IndexedDB, kept while our role may edit (read-only: nothing to keep). */
  private offline: OfflineCopy | null = null;
  /** What the server held when this connection began (its SyncStep1), by client id. */
  private serverHeld = new Map<number, number>();
  /** Client ids of ours whose changes the server has not confirmed (this page's, earlier ones). */
  private waitingClients: number[] = [];
  private readonly listeners = new Set<() => void>();
  private users = 0;
  private stopAuthListener: (() => void) | null = null;
  private destroyed = false;
  private lastProbe = 0;
  private accessLoading: Promise<void> | null = null;
  private accessRetry: ReturnType<typeof setTimeout> | null = null;
  /** JSON of the `user` we last put in our awareness state. */
  private announced = '';
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
  private presenceSentAt = 0;
  /** y-websocket's own sender of awareness updates (replaced by onAwarenessUpdate). */
  private readonly sendAwareness: WebsocketProvider['_awarenessUpdateHandler'];

  constructor(readonly reportId: string) {
    this.fragment = this.doc.getXmlFragment(REPORT_FRAGMENT);
    const me = currentMe();
    this.copyName = me ? copyName(me.user.id, reportId) : null;
    this.threads = new ThreadStore(reportId);
    this.consensus = new ConsensusStore(reportId);
    this.provider = new WebsocketProvider(syncServerUrl(), reportId, this.doc, {
      connect: false,
      params: {
        [SyncParam.schema]: String(SCHEMA_VERSION),
        [SyncParam.saved]: String(this.doc.clientID),
      },
      // Retry everything except what retrying cannot fix (y-websocket's default would also stop
      // on any other 44xx code, e.g. 4409 after a role change).
      shouldReconnect: (event) => !FATAL_CLOSE_CODES.has(event.code),
    });
    // Concord's Saved message. y-websocket calls handlers as (encoder, decoder, provider,
    // emitSynced, messageType) and sends back whatever a handler writes to the encoder: this one
    // only reads.
    this.provider.messageHandlers[MessageType.Saved] = (_encoder, decoder) => {
      if (this.durable.apply(decodeSavedBody(decoder))) this.refresh();
    };
    // The server's SyncStep1 says what it holds: changes of ours from an earlier visit that it
    // already has are not waiting any more. Read from a copy; y-websocket then handles it.
    const handleSync = this.provider.messageHandlers[messageSync]!;
    this.provider.messageHandlers[messageSync] = (encoder, decoder, provider, emitSynced, type) => {
      try {
        const peek = decoding.createDecoder(decoder.arr.subarray(decoder.pos));
        if (decoding.readVarUint(peek) === syncProtocol.messageYjsSyncStep1) {
          this.serverHeld = Y.decodeStateVector(decoding.readVarUint8Array(peek));
        }
      } catch {
        // Malformed: y-websocket's handler says so.
      }
      handleSync(encoder, decoder, provider, emitSynced, type);
      this.refresh();
    };
    // A notice for the user (a refused change, read-only access…): shown until dismissed.
    this.provider.messageHandlers[MessageType.Notice] = (_encoder, decoder) => {
      try {
        const notice = decodeNoticeBody(decoder);
        if (typeof notice?.message !== 'string') return;
        if (notice.code === 'presence-color') {
          // Not for the user: the colour the server stamps on our presence in this report.
          if (typeof notice.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(notice.color)) {
            this.presenceColor = notice.color;
            this.announce();
          }
          return;
        }
        this.serverNotice = notice;
      } catch {
        return;
      }
      // A refused write means our idea of the role is stale: ask again (a read-only role then
      // deletes the copy). Content under another user's client id will never be kept either.
      if (this.serverNotice.code === 'read-only') void this.loadAccess();
      if (this.serverNotice.code === 'foreign-client-id') this.forgetCopy();
      if (this.serverNotice.code === 'resync' || this.serverNotice.code === 'unapplied')
        this.diverged = true;
      this.refresh();
    };
    // A thread, status, position or silence changed: each store takes its own kind (a replayed
    // event changes nothing); reconnecting asks for what came after the shared cursor.
    this.provider.messageHandlers[MessageType.Event] = (_encoder, decoder) => {
      let event: ReportEvent;
      try {
        event = JSON.parse(decoding.readVarString(decoder)) as ReportEvent;
      } catch {
        // A malformed event is ignored; the next reconnection replays from the last seq.
        return;
      }
      if (typeof event?.seq !== 'number') return;
      if (event.type === 'revision' || event.type === 'numbering')
        void loadLastRevision(this.reportId);
      else if (!this.consensus.applyEvent(event) && !this.metadata.applyEvent(event))
        this.threads.applyEvent(event);
      if (this.eventSeq !== null && event.seq > this.eventSeq) {
        this.eventSeq = event.seq;
        this.syncEventsParam();
      }
    };
    // The protocol's permission-denied message comes with a Notice that says it in words; the
    // stock handler would only log a console warning.
    this.provider.messageHandlers[MessageType.Auth] = (_encoder, decoder) => {
      authProtocol.readAuthMessage(decoder, this.doc, () => {});
    };
    // Presence: send only our own state (the server forwards nobody else's from us), throttled.
    this.sendAwareness = this.provider._awarenessUpdateHandler;
    this.awareness.off('update', this.sendAwareness);
    this.provider._awarenessUpdateHandler = this.onAwarenessUpdate;
    this.awareness.on('update', this.onAwarenessUpdate);
    this.doc.on('update', this.refresh);
    this.provider.on('status', this.refresh);
    this.provider.on('sync', this.onSync);
    this.provider.on('connection-close', this.onClose);
    window.addEventListener('offline', this.onBrowserOffline);
    window.addEventListener('online', this.onBrowserOnline);
    window.addEventListener('pagehide', this.onPageHide);
    window.addEventListener('pageshow', this.onPageShow);
    // The socket opens once the API has said we may read the report (loadAccess): a stale link
    // or a removed member gets the server's message, not a refused websocket upgrade.
    void this.loadAccess();
  }

  get awareness() {
    return this.provider.awareness;
  }

  /** True when the server says our role may edit the text (false until it has answered). */
  get canEdit(): boolean {
    return this.access !== null && roleCan(this.access.role, 'editText');
  }

  /**
   * True when this copy diverged from the server and all it sent is confirmed: the page should
   * open a fresh session (`openSession` then makes a new one).
   */
  get stale(): boolean {
    return this.diverged && !this.pending;
  }

  /** True when our role is known and cannot edit: nothing we hold can ever be saved. */
  get readOnly(): boolean {
    return this.access !== null && !roleCan(this.access.role, 'editText');
  }

  /**
   * True while some of our own changes are not confirmed durable (online or not): this page's,
   * or those kept in this browser from an earlier visit that the server does not have yet.
   */
  get pending(): boolean {
    return this.waitingClients.length > 0;
  }

  /** True while changes kept from an earlier visit (another client id) are not confirmed. */
  get restoring(): boolean {
    return this.waitingClients.some((c) => c !== this.doc.clientID);
  }

  private waiting(): number[] {
    const clients = new Set(this.offline?.clients ?? []);
    clients.add(this.doc.clientID);
    return ownPending(
      clients,
      (c) => Y.getState(this.doc.store, c),
      (c) => Math.max(this.durable.get(c), this.serverHeld.get(c) ?? 0),
    );
  }

  /**
   * True when unconfirmed changes can still reach the server: we may edit, and the connection
   * stopped at most because the session ended (a new login resumes it).
   */
  get canStillSave(): boolean {
    if (this.readOnly) return false;
    return !this.notice?.fatal || this.notice.code === CloseCode.SessionEnded;
  }

  /**
   * Keeps the report's copy in this browser while our role may edit (opening it reads what an
   * earlier visit left into the doc); a role that cannot edit has nothing to keep, and what was
   * kept could never be saved: it is deleted, unread.
   */
  private async keepCopy(canEdit: boolean): Promise<void> {
    if (!this.copyName) return;
    if (!canEdit) return this.forgetCopy();
    this.offline ??= new OfflineCopy(this.copyName, this.doc);
    await this.offline.loaded;
  }

  /** Deletes this report's copy in the browser (diverged, refused); nothing is kept from now. */
  forgetCopy(): Promise<void> {
    const copy = this.offline;
    this.offline = null;
    if (copy) return copy.clear();
    return this.copyName ? deleteCopy(this.copyName) : Promise.resolve();
  }

  dismissServerNotice(): void {
    this.serverNotice = null;
    this.refresh();
  }

  /** Listens to any change of saveState, notice, role or sync status. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called by a page that shows this report; puts us in the presence list. */
  retain(): void {
    this.users++;
    if (this.users === 1) {
      this.announced = '';
      this.announce();
      this.stopAuthListener = onAuthChange(() => this.announce());
    }
  }

  /** Called when the page goes away; leaves the presence list. Returns true when idle. */
  release(): boolean {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) {
      this.stopAuthListener?.();
      this.stopAuthListener = null;
      this.announced = '';
      this.awareness.setLocalState(null);
    }
    return this.users === 0;
  }

  get inUse(): boolean {
    return this.users > 0;
  }

  /** After a new login: a session stopped because the old one ended connects again. */
  resume(): void {
    if (this.destroyed || this.notice?.code !== CloseCode.SessionEnded) return;
    this.notice = null;
    this.lastProbe = 0;
    this.provider.connect();
    void this.loadAccess();
    this.refresh();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.accessRetry) clearTimeout(this.accessRetry);
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.stopAuthListener?.();
    window.removeEventListener('offline', this.onBrowserOffline);
    window.removeEventListener('online', this.onBrowserOnline);
    window.removeEventListener('pagehide', this.onPageHide);
    window.removeEventListener('pageshow', this.onPageShow);
    this.doc.off('update', this.refresh);
    this.offline?.destroy();
    this.provider.destroy();
    this.doc.destroy();
    this.listeners.clear();
  }

  /** True once the consensus data is loaded: its seq is where the event cursor starts. */
  private get eventsLoaded(): boolean {
    return this.consensus.loaded;
  }

  /**
   * Loads the consensus data if it is not loaded yet and sets the shared cursor at its seq (at
   * the first load); then the threads, without waiting for them: they are the largest download
   * of a report, and the text must not wait for them. No event falls between the two: the
   * threads are fetched after the consensus data, so their seq is at least the cursor, and the
   * socket brings every event after the cursor; the thread store keeps, per thread, the newer
   * of what it loaded and what an event brought. Resolves either way; a failed load is retried
   * on the next sync.
   */
  private async loadEventStores(): Promise<void> {
    if (this.metadata.value.peek() === null) void this.metadata.load(this.reportId).catch(() => {});
    if (!this.consensus.loaded) await this.consensus.load().catch(() => {});
    if (this.destroyed || !this.eventsLoaded) return;
    if (this.eventSeq === null) this.eventSeq = this.consensus.seq;
    this.syncEventsParam();
    this.loadThreads();
  }

  private threadsLoading = false;
  /** Fetches the threads once (again after a failure, at the next sync). */
  private loadThreads(): void {
    if (this.threads.loaded || this.threadsLoading) return;
    this.threadsLoading = true;
    void this.threads
      .load()
      .catch(() => {})
      .finally(() => {
        this.threadsLoading = false;
      });
  }

  /** y-websocket rebuilds its URL from `params` on every reconnection. */
  private readonly syncEventsParam = () => {
    if (this.eventSeq === null) return;
    const seq = String(this.eventSeq);
    if (this.provider.params[SyncParam.events] !== seq) {
      this.provider.params = { ...this.provider.params, [SyncParam.events]: seq };
    }
  };

  private readonly refresh = () => {
    if (this.destroyed) return;
    // Yjs picks a new clientID when it sees another client use ours; the server must then be
    // asked for Saved messages about the new one.
    const ownId = String(this.doc.clientID);
    if (this.provider.params[SyncParam.saved] !== ownId) {
      this.provider.params = { ...this.provider.params, [SyncParam.saved]: ownId };
      if (this.provider.wsconnected) {
        this.provider.disconnect();
        this.provider.connect();
      }
    }
    this.waitingClients = this.waiting();
    // Kept with the copy: after a reopen, these ids' changes still count as waiting.
    this.offline?.saveClients(this.waitingClients);
    this.saveState = saveStateOf(this.provider.wsconnected, this.pending);
    for (const listener of this.listeners) listener();
  };

  private readonly onSync = (synced: boolean) => {
    if (synced) {
      this.hasSynced = true;
      this.threads.retryFailed();
      this.loadThreads();
      if (!this.eventsLoaded) {
        // The consensus data could not be fetched before connecting: fetch it now, and
        // reconnect so that the server sends the events after the cursor.
        void this.loadEventStores().then(() => {
          if (this.destroyed || !this.eventsLoaded || !this.provider.wsconnected) return;
          this.provider.disconnect();
          this.provider.connect();
        });
      }
      if (this.notice && !this.notice.fatal) this.notice = null;
    }
    this.refresh();
  };

  private stop(text: string, code: number | null): void {
    this.notice = { text, fatal: true, code };
    this.refresh();
  }

  private readonly onClose = (event: CloseEvent | null) => {
    const code = event?.code ?? null;
    if (code !== null && FATAL_CLOSE_CODES.has(code)) {
      // Reconnecting cannot help: stop, and say why. (Do not call disconnect() here: y-websocket
      // is still inside its close handler; clearing shouldConnect makes its retry a no-op.)
      this.provider.shouldConnect = false;
      const text = closeReasonText[code] ?? 'The server closed the connection.';
      this.notice = { text, fatal: true, code };
      if (code === CloseCode.SessionEnded) reportUnauthorized(text);
      else if (code === CloseCode.Removed) void refreshMe();
    } else if (code === CloseCode.RoleChanged) {
      // y-websocket reconnects by itself; the new role decides whether we may edit.
      this.notice = { text: closeReasonText[code]!, fatal: false, code };
      void this.loadAccess();
      void refreshMe();
    } else if (code !== null && closeReasonText[code]) {
      this.notice = { text: closeReasonText[code]!, fatal: false, code };
    } else if (!this.notice?.fatal) {
      this.notice = {
        text: this.hasSynced
          ? this.offline
            ? 'Connection lost. Reconnecting… What you type is kept in this browser, even if you close the tab, and sent when the connection returns.'
            : 'Connection lost. Reconnecting… What you type stays on this page and is sent when the connection returns.'
          : 'Cannot reach the server. Retrying…',
        fatal: false,
        code,
      };
      // A socket refused at the upgrade (HTTP 401/403/404) closes as 1006 without telling the
      // page why: ask the API, which answers with a status and a message.
      if (!this.provider.wsconnected) void this.probeAccess();
    }
    this.refresh();
  };

  /** At most one access check per PROBE_INTERVAL_MS after a failed connection. */
  private async probeAccess(): Promise<void> {
    const now = Date.now();
    if (this.lastProbe !== 0 && now - this.lastProbe < PROBE_INTERVAL_MS) return;
    this.lastProbe = now;
    await this.loadAccess();
  }

  /**
   * Asks the API for the report and our role in its group. A 404, 401 or 403 cannot be cured by
   * reconnecting: stop and show the server's message (a 401 also sends the page to the login).
   * Network errors are retried.
   */
  loadAccess(): Promise<void> {
    if (this.accessLoading) return this.accessLoading;
    this.accessLoading = (async () => {
      let fatal: { text: string; code: number | null } | null = null;
      try {
        const access = await getReport(this.reportId);
        if (this.destroyed) return;
        if (access === null) {
          fatal = {
            text: closeReasonText[CloseCode.UnknownReport] ?? 'This report does not exist.',
            code: CloseCode.UnknownReport,
          };
        } else {
          // Another role or State may see other threads: the list is fetched again.
          const audienceChanged =
            this.access !== null &&
            (this.access.role !== access.role || this.access.represents !== access.represents);
          this.access = access;
          if (access.report.groupId) {
            updateMembership(access.report.groupId, access.role, access.represents);
          }
          const me = currentMe();
          if (me) this.threads.setUser(me.user.id);
          if (audienceChanged) void this.threads.load(true).catch(() => {});
          if (!this.eventsLoaded) {
            // The consensus data first: its seq tells the server which events to send from then
            // on (the threads follow, beside the sync).
            await this.loadEventStores();
            if (this.destroyed) return;
          }
          // What this browser kept from an earlier visit is in the doc before the first sync,
          // so that sync sends it (at most a few seconds' wait; see OfflineCopy).
          await this.keepCopy(roleCan(access.role, 'editText'));
          if (this.destroyed) return;
          if (!this.provider.shouldConnect && !this.notice?.fatal && !this.pausedOffline) {
            this.provider.connect();
          }
          this.announce();
          this.refresh();
        }
      } catch (error) {
        if (this.destroyed) return;
        if (error instanceof ApiRequestError && [401, 403, 404].includes(error.status)) {
          fatal = {
            text: error.message,
            code: error.status === 401 ? CloseCode.SessionEnded : null,
          };
        } else if (this.access === null && !this.accessRetry) {
          // Not connected yet either: say so, and ask again.
          if (!this.notice) {
            this.notice = { text: 'Cannot reach the server. Retrying…', fatal: false, code: null };
            this.refresh();
          }
          this.accessRetry = setTimeout(() => {
            this.accessRetry = null;
            void this.loadAccess();
          }, ACCESS_RETRY_MS);
        }
      }
      if (fatal === null || this.destroyed) return;
      this.provider.disconnect();
      this.stop(fatal.text, fatal.code);
    })().finally(() => {
      this.accessLoading = null;
    });
    return this.accessLoading;
  }

  /**
   * Puts our `user` (name, color, role, represents — what the server stamps) in our awareness
   * state, once the role is known and when it changes. Nothing while no page shows the report.
   */
  private announce(): void {
    if (this.destroyed || !this.inUse) return;
    const me = currentMe();
    if (!me || !this.access) return;
    const user = presenceUser(
      me.user,
      this.access.role,
      this.access.represents,
      this.presenceColor,
    );
    const json = JSON.stringify(user);
    if (json === this.announced && this.awareness.getLocalState()?.['user']) return;
    this.announced = json;
    this.awareness.setLocalState({ ...(this.awareness.getLocalState() ?? {}), user });
  }

  private readonly flushPresence = () => {
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.presenceTimer = null;
    this.presenceSentAt = Date.now();
    const own = this.awareness.clientID;
    this.sendAwareness({ added: [], updated: [own], removed: [] }, 'local');
  };

  /**
   * Our awareness changed (caret, selection, name): send it, at most once per
   * PRESENCE_INTERVAL_MS and always the latest. Leaving (a null state) goes at once. Other
   * people's states, which y-websocket would echo back, are not sent.
   */
  private readonly onAwarenessUpdate = (
    change: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ) => {
    const own = this.awareness.clientID;
    if (origin === this.provider) return;
    if (![...change.added, ...change.updated, ...change.removed].includes(own)) return;
    if (this.awareness.getLocalState() === null) {
      this.flushPresence();
      return;
    }
    if (this.presenceTimer) return;
    const wait = this.presenceSentAt + PRESENCE_INTERVAL_MS - Date.now();
    if (wait <= 0) this.flushPresence();
    else this.presenceTimer = setTimeout(this.flushPresence, wait);
  };

  /** Leaving the page: tell the others at once instead of letting our presence time out. */
  private readonly onPageHide = () => {
    this.announced = '';
    this.awareness.setLocalState(null);
  };

  /** Back from the back/forward cache. */
  private readonly onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted && this.inUse) this.announce();
  };

  /**
   * The browser knows the network is gone: close now instead of waiting for the watchdog, and
   * do not retry until it says the network is back (a retry loop against a dead network only
   * flickers the save state; some established sockets even survive the browser's offline mode).
   */
  private readonly onBrowserOffline = () => {
    if (this.destroyed || !this.provider.shouldConnect) return;
    this.pausedOffline = true;
    this.provider.disconnect();
  };

  private readonly onBrowserOnline = () => {
    if (this.destroyed || !this.pausedOffline) return;
    this.pausedOffline = false;
    if (!this.notice?.fatal) this.provider.connect();
  };
}

const sessions = new Map<string, ReportSession>();

/** The session of a report, opened on first use; call `closeSession` when the page goes. */
export function openSession(reportId: string): ReportSession {
  let session = sessions.get(reportId);
  if (session?.stale) {
    // Diverged from the server: its pages let it go (closeSession destroys it), and its copy in
    // this browser is deleted before the new session reads it.
    sessions.delete(reportId);
    void session.forgetCopy();
    session = undefined;
  }
  if (!session) {
    session = new ReportSession(reportId);
    sessions.set(reportId, session);
  } else {
    session.resume();
  }
  session.retain();
  return session;
}

/**
 * Releases a page's hold on a session. A session with changes the server has not confirmed stays
 * open (and keeps syncing) until they are confirmed, then goes; unless they can never be saved
 * (read-only role, removed from the group).
 */
export function closeSession(session: ReportSession): void {
  if (!session.release()) return;
  /** True when there is nothing left to watch. */
  const finish = (): boolean => {
    if (session.inUse) return true;
    if (sessions.get(session.reportId) !== session) {
      // Replaced by a fresh session (it diverged): nothing of it is still needed.
      if (session.stale) session.destroy();
      return true;
    }
    if (session.pending && session.canStillSave) return false;
    sessions.delete(session.reportId);
    session.destroy();
    return true;
  };
  if (finish()) return;
  const stop = session.subscribe(() => {
    if (finish()) stop();
  });
}

/** After logging in again as the same person: sessions stopped by the old session's end resume. */
export function resumeSessions(): void {
  for (const session of sessions.values()) session.resume();
}

/**
 * Logging out, or someone else logging in: every session goes, whatever it holds. Logging out
 * also deletes every report copy kept in this browser (`forget`); another person logging in
 * cannot read the previous one's copies (they are per user) and they stay for that person.
 */
export function dropSessions(forget = false): Promise<void> {
  for (const session of sessions.values()) session.destroy();
  sessions.clear();
  return forget ? forgetAllCopies() : Promise.resolve();
}

/** True when some open report holds changes of ours that the server has not confirmed. */
export function hasUnsavedChanges(): boolean {
  for (const session of sessions.values()) if (session.pending && session.canStillSave) return true;
  return false;
}
