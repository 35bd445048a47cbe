/**
 * One open report on the sync channel: its Y.Doc, the y-websocket provider, presence, the saved
 * state and the connection notice. A session outlives the editor page while it holds changes the
 * server has not confirmed, so leaving a report never drops a word typed offline.
 */
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
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
import { REPORT_FRAGMENT, SCHEMA_VERSION } from '../../../shared/schema.js';
import { ApiRequestError, getReport } from '../api.js';
import { currentUser, onUserChange } from '../identity.js';
import { computeSaveState, DurableClocks, type SaveState } from './saveState.js';

/** How often a failing connection may ask the API why (see probeAccess). */
const PROBE_INTERVAL_MS = 10_000;

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
  /** True once the first sync with the server completed (the editor waits for it). */
  hasSynced = false;
  saveState: SaveState = 'offline';
  notice: ConnectionNotice | null = null;
  /** The last message the server sent for the user (MessageType.Notice), until dismissed. */
  serverNotice: ServerNotice | null = null;

  private readonly durable = new DurableClocks();
  private readonly listeners = new Set<() => void>();
  private users = 0;
  private stopUserListener: (() => void) | null = null;
  private destroyed = false;
  private lastProbe = 0;

  constructor(readonly reportId: string) {
    this.fragment = this.doc.getXmlFragment(REPORT_FRAGMENT);
    this.provider = new WebsocketProvider(syncServerUrl(), reportId, this.doc, {
      connect: false,
      params: {
        [SyncParam.schema]: String(SCHEMA_VERSION),
        [SyncParam.saved]: String(this.doc.clientID),
      },
      // Retry everything except what retrying cannot fix (y-websocket's default would also stop
      // on any other 44xx code).
      shouldReconnect: (event) => !FATAL_CLOSE_CODES.has(event.code),
    });
    // Concord's Saved message. y-websocket calls handlers as (encoder, decoder, provider,
    // emitSynced, messageType) and sends back whatever a handler writes to the encoder: this one
    // only reads.
    this.provider.messageHandlers[MessageType.Saved] = (_encoder, decoder) => {
      if (this.durable.apply(decodeSavedBody(decoder))) this.refresh();
    };
    // A notice for the user (a refused change, read-only access…): shown until dismissed.
    this.provider.messageHandlers[MessageType.Notice] = (_encoder, decoder) => {
      try {
        const notice = decodeNoticeBody(decoder);
        if (typeof notice?.message !== 'string') return;
        this.serverNotice = notice;
      } catch {
        return;
      }
      this.refresh();
    };
    this.doc.on('update', this.refresh);
    this.provider.on('status', this.refresh);
    this.provider.on('sync', this.onSync);
    this.provider.on('connection-close', this.onClose);
    window.addEventListener('offline', this.onBrowserOffline);
    window.addEventListener('pagehide', this.onPageHide);
    window.addEventListener('pageshow', this.onPageShow);
    this.provider.connect();
  }

  get awareness() {
    return this.provider.awareness;
  }

  /** True while some of our own changes are not confirmed durable (online or not). */
  get pending(): boolean {
    return Y.getState(this.doc.store, this.doc.clientID) > this.durable.get(this.doc.clientID);
  }

  dismissServerNotice(): void {
    this.serverNotice = null;
    this.refresh();
  }

  /** Listens to any change of saveState, notice or sync status. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called by a page that shows this report; puts us in the presence list. */
  retain(): void {
    this.users++;
    if (this.users === 1) {
      this.announce();
      this.stopUserListener = onUserChange(() => this.announce());
    }
  }

  /** Called when the page goes away; leaves the presence list. Returns true when idle. */
  release(): boolean {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) {
      this.stopUserListener?.();
      this.stopUserListener = null;
      this.awareness.setLocalState(null);
    }
    return this.users === 0;
  }

  get inUse(): boolean {
    return this.users > 0;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    window.removeEventListener('offline', this.onBrowserOffline);
    window.removeEventListener('pagehide', this.onPageHide);
    window.removeEventListener('pageshow', this.onPageShow);
    this.doc.off('update', this.refresh);
    this.provider.destroy();
    this.doc.destroy();
    this.listeners.clear();
  }

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
    const state = computeSaveState(
      this.provider.wsconnected,
      Y.getState(this.doc.store, this.doc.clientID),
      this.durable.get(this.doc.clientID),
    );
    this.saveState = state;
    for (const listener of this.listeners) listener();
  };

  private readonly onSync = (synced: boolean) => {
    if (synced) {
      this.hasSynced = true;
      if (this.notice && !this.notice.fatal) this.notice = null;
    }
    this.refresh();
  };

  private readonly onClose = (event: CloseEvent | null) => {
    const code = event?.code ?? null;
    if (code !== null && FATAL_CLOSE_CODES.has(code)) {
      // Reconnecting cannot help: stop, and say why. (Do not call disconnect() here: y-websocket
      // is still inside its close handler; clearing shouldConnect makes its retry a no-op.)
      this.provider.shouldConnect = false;
      this.notice = {
        text: closeReasonText[code] ?? 'The server closed the connection.',
        fatal: true,
        code,
      };
    } else if (code !== null && closeReasonText[code]) {
      this.notice = { text: closeReasonText[code]!, fatal: false, code };
    } else if (!this.notice?.fatal) {
      this.notice = {
        text: this.hasSynced
          ? 'Connection lost. Reconnecting… What you type stays on this page and is sent when the connection returns.'
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

  /**
   * Asks the API whether this report can be opened at all. A 404, 401 or 403 cannot be cured
   * by reconnecting: stop and show the server's message. Network errors keep the retries going.
   * At most one probe per PROBE_INTERVAL_MS.
   */
  private async probeAccess(): Promise<void> {
    const now = Date.now();
    if (this.lastProbe !== 0 && now - this.lastProbe < PROBE_INTERVAL_MS) return;
    this.lastProbe = now;
    let fatal: string | null = null;
    try {
      if ((await getReport(this.reportId)) === null) {
        fatal = closeReasonText[CloseCode.UnknownReport] ?? 'This report does not exist.';
      }
    } catch (error) {
      if (error instanceof ApiRequestError && [401, 403, 404].includes(error.status)) {
        fatal = error.message;
      }
    }
    if (fatal === null || this.destroyed || this.provider.wsconnected) return;
    this.provider.disconnect();
    this.notice = { text: fatal, fatal: true, code: null };
    this.refresh();
  }

  /** Puts `user: { name, color }` in our awareness state (which may have been cleared). */
  private announce(): void {
    this.awareness.setLocalState({
      ...(this.awareness.getLocalState() ?? {}),
      user: currentUser(),
    });
  }

  /** Leaving the page: tell the others at once instead of letting our presence time out. */
  private readonly onPageHide = () => {
    this.awareness.setLocalState(null);
  };

  /** Back from the back/forward cache. */
  private readonly onPageShow = (event: PageTransitionEvent) => {
    if (event.persisted && this.inUse) this.announce();
  };

  /** The browser knows the network is gone: close now instead of waiting for the watchdog. */
  private readonly onBrowserOffline = () => {
    this.provider.ws?.close();
  };
}

const sessions = new Map<string, ReportSession>();

/** The session of a report, opened on first use; call `closeSession` when the page goes. */
export function openSession(reportId: string): ReportSession {
  let session = sessions.get(reportId);
  if (!session) {
    session = new ReportSession(reportId);
    sessions.set(reportId, session);
  }
  session.retain();
  return session;
}

/**
 * Releases a page's hold on a session. A session with changes the server has not confirmed stays
 * open (and keeps syncing) until they are confirmed, then goes.
 */
export function closeSession(session: ReportSession): void {
  if (!session.release()) return;
  /** True when there is nothing left to watch. */
  const finish = (): boolean => {
    if (session.inUse || sessions.get(session.reportId) !== session) return true;
    if (session.pending) return false;
    sessions.delete(session.reportId);
    session.destroy();
    return true;
  };
  if (finish()) return;
  const stop = session.subscribe(() => {
    if (finish()) stop();
  });
}

/** True when some open report holds changes of ours that the server has not confirmed. */
export function hasUnsavedChanges(): boolean {
  for (const session of sessions.values()) if (session.pending) return true;
  return false;
}
