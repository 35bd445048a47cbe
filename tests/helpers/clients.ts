/**
 * Test clients for the sync endpoint: the stock y-websocket WebsocketProvider (over `ws`) and
 * raw `ws` sockets, plus helpers to read a report's Y.Doc. Everything a test opens is registered
 * in a Cleanup so `after`/`t.after` can dispose of it in one call.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { REPORT_FRAGMENT, SCHEMA_VERSION } from '../../shared/schema.js';
import { type TestServer, type TestUser, waitFor } from './server.js';

/** Disposes registered resources in reverse order; errors are collected, not thrown midway. */
export class Cleanup {
  private readonly stack: Array<() => unknown> = [];

  add(fn: () => unknown): void {
    this.stack.push(fn);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    while (this.stack.length > 0) {
      const fn = this.stack.pop()!;
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw errors[0];
  }
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface TestClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Close events the server sent to this client (not the ones it caused itself). */
  closes: CloseInfo[];
  /** Every message type received, in order (counted before the provider handles it). */
  received: number[];
  /** Stops the provider for good and destroys the doc. Idempotent. */
  destroy(): void;
  /** Stops the provider for good but keeps the doc (to reuse it with another provider). */
  detach(): void;
}

/** Where a client connects: the in-process TestServer, or anything with the same two members. */
export interface SyncTarget {
  /** ws://host:port/sync */
  wsUrl: string;
  /** The WebSocket class that authenticates as `user` (default: the chair). */
  ws(user?: TestUser): typeof WebSocket;
}

export interface ClientOptions {
  doc?: Y.Doc;
  /** Connect as this user (default: the target's chair). */
  as?: TestUser;
  params?: Record<string, string>;
  connect?: boolean;
  /** Upper bound of y-websocket's reconnect backoff (default here 250 ms, stock 2500 ms). */
  maxBackoffTime?: number;
  /** Called with each incoming message's type, before the provider handles it. */
  onMessage?: (type: number) => void;
}

let liveProviders = 0;

/** A stock y-websocket provider on report `reportId`, BroadcastChannel disabled. */
export function connectClient(
  target: SyncTarget,
  reportId: string,
  options: ClientOptions = {},
  cleanup?: Cleanup,
): TestClient {
  const doc = options.doc ?? new Y.Doc();
  // Each provider adds a process 'exit' listener; dozens of clients are expected here.
  liveProviders++;
  if (process.getMaxListeners() < liveProviders + 10) process.setMaxListeners(liveProviders + 10);
  const provider = new WebsocketProvider(target.wsUrl, reportId, doc, {
    WebSocketPolyfill: target.ws(options.as) as unknown as typeof globalThis.WebSocket,
    // Several providers in one process would otherwise sync through BroadcastChannel,
    // bypassing the server under test.
    disableBc: true,
    maxBackoffTime: options.maxBackoffTime ?? 250,
    params: { schema: String(SCHEMA_VERSION), ...options.params },
    connect: options.connect ?? true,
  });
  const closes: CloseInfo[] = [];
  const received: number[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: String(event.reason) });
  });
  // Count every incoming message type by wrapping the handlers (the provider reads the type
  // and dispatches through this table).
  const handlers = provider.messageHandlers as Array<((...args: unknown[]) => void) | undefined>;
  for (let type = 0; type < handlers.length; type++) {
    const h = handlers[type];
    if (!h) continue;
    handlers[type] = (...args: unknown[]) => {
      received.push(type);
      options.onMessage?.(type);
      h(...args);
    };
  }
  let detached = false;
  const client: TestClient = {
    doc,
    provider,
    closes,
    received,
    detach() {
      if (detached) return;
      detached = true;
      liveProviders--;
      provider.destroy();
      provider.awareness.destroy();
    },
    destroy() {
      client.detach();
      if (!doc.isDestroyed) doc.destroy();
    },
  };
  cleanup?.add(() => client.destroy());
  return client;
}

/** True when the provider is connected and has applied the server's sync step 2. */
export function isLive(c: TestClient): boolean {
  return c.provider.wsconnected && c.provider.synced;
}

export function reportFragment(doc: Y.Doc): Y.XmlFragment {
  return doc.getXmlFragment(REPORT_FRAGMENT);
}

/** The report as an XML string (deterministic for equal documents). */
export function reportXml(doc: Y.Doc): string {
  return reportFragment(doc).toString();
}

/** Ids of every paragraph element, in document order (in every container). */
export function paragraphIds(doc: Y.Doc): string[] {
  const out: string[] = [];
  for (const node of reportFragment(doc).createTreeWalker(
    (n) => n instanceof Y.XmlElement && n.nodeName === 'paragraph',
  )) {
    out.push(String((node as Y.XmlElement).getAttribute('id')));
  }
  return out;
}

/** Every paragraph element, in document order. */
export function paragraphs(doc: Y.Doc): Y.XmlElement[] {
  const out: Y.XmlElement[] = [];
  for (const node of reportFragment(doc).createTreeWalker(
    (n) => n instanceof Y.XmlElement && n.nodeName === 'paragraph',
  )) {
    out.push(node as Y.XmlElement);
  }
  return out;
}

/**
 * The paragraph's FIRST text run, created at the start if there is none. A paragraph is not one
 * Y.XmlText: an inline footnote (a Y.XmlElement) splits its text into runs around it. Insert at
 * 0 here for "the start of the paragraph"; use lastTextRun to append, paragraphString to read.
 */
export function paragraphText(p: Y.XmlElement): Y.XmlText {
  const first = p.get(0);
  if (first instanceof Y.XmlText) return first;
  const text = new Y.XmlText();
  p.insert(0, [text]);
  return text;
}

/** The paragraph's last text run (after its last footnote), created at the end if needed. */
export function lastTextRun(p: Y.XmlElement): Y.XmlText {
  const last = p.length > 0 ? p.get(p.length - 1) : null;
  if (last instanceof Y.XmlText) return last;
  const text = new Y.XmlText();
  p.insert(p.length, [text]);
  return text;
}

/** The paragraph's plain text, every run in order, a footnote's text where it stands. */
export function paragraphString(p: Y.XmlElement): string {
  return p
    .toArray()
    .map((child) =>
      child instanceof Y.XmlText
        ? (child.toDelta() as Array<{ insert: unknown }>)
            .map((op) => (typeof op.insert === 'string' ? op.insert : ''))
            .join('')
        : child instanceof Y.XmlElement
          ? paragraphString(child)
          : '',
    )
    .join('');
}

/** A new paragraph element (as y-prosemirror stores one) holding `text`. */
export function newParagraph(id: string, text = '', level = 0): Y.XmlElement {
  const p = new Y.XmlElement('paragraph');
  p.setAttribute('id', id);
  p.setAttribute('level', level as unknown as string);
  if (text) {
    const t = new Y.XmlText();
    t.insert(0, text);
    p.insert(0, [t]);
  }
  return p;
}

/** Chapters of the report, in order. */
export function chapters(doc: Y.Doc): Y.XmlElement[] {
  return reportFragment(doc)
    .toArray()
    .filter((n): n is Y.XmlElement => n instanceof Y.XmlElement && n.nodeName === 'chapter');
}

/** State vector as a plain, sorted object (readable in assertion diffs). */
export function stateVector(doc: Y.Doc): Record<string, number> {
  const sv = Y.decodeStateVector(Y.encodeStateVector(doc));
  return Object.fromEntries([...sv.entries()].sort((a, b) => a[0] - b[0]));
}

/** A Y.Doc rebuilt from an encoded update (e.g. a snapshot), for comparisons. */
export function docFromUpdate(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
}

/** The server's live Y.Doc of a report (loads the report if needed). */
export async function serverDoc(server: TestServer, reportId: string): Promise<Y.Doc> {
  const report = await server.app.registry.acquire(reportId);
  return report.ydoc();
}

// ---------------------------------------------------------------------------------------------
// Raw sockets

export interface RawSocket {
  ws: WebSocket;
  /** Binary frames received, in order. */
  frames: Uint8Array[];
  /** Resolves once the socket is open (rejects if it closes or errors first). */
  opened: Promise<void>;
  /** Resolves with the close code and reason the client saw. */
  closed: Promise<CloseInfo>;
  close(): void;
}

/** A raw socket to `url`, authenticated when `headers` carry a cookie. */
/**
 * `url` declaring the current schema version (`?schema=`), as every client must to write; a url
 * that declares one already is left as it is.
 */
export function withSchema(url: string): string {
  if (/[?&]schema=/.test(url)) return url;
  return `${url}${url.includes('?') ? '&' : '?'}schema=${SCHEMA_VERSION}`;
}

export function rawSocket(
  url: string,
  headers: Record<string, string> = {},
  cleanup?: Cleanup,
): RawSocket {
  const ws = new WebSocket(withSchema(url), { headers });
  const frames: Uint8Array[] = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      frames.push(new Uint8Array(buf));
    }
  });
  ws.on('error', () => {});
  const closed = new Promise<CloseInfo>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('close', (code) => reject(new Error(`closed (${code}) before open`)));
  });
  opened.catch(() => {});
  const sock: RawSocket = {
    ws,
    frames,
    opened,
    closed,
    close() {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)
        ws.terminate();
    },
  };
  cleanup?.add(() => sock.close());
  return sock;
}

/** Resolves with the first of `p` or a timeout error. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A y-websocket sync frame: [0][sub][varUint8Array payload]. */
export function syncFrame(sub: 0 | 1 | 2, payload: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, 0);
  encoding.writeVarUint(enc, sub);
  encoding.writeVarUint8Array(enc, payload);
  return encoding.toUint8Array(enc);
}

/** The message type (first varUint) of a frame. */
export function frameType(frame: Uint8Array): number {
  return decoding.readVarUint(decoding.createDecoder(frame));
}

/** Applies every sync frame in `frames` to `doc` (as a client would; replies are discarded). */
export function applySyncFrames(doc: Y.Doc, frames: Uint8Array[]): void {
  for (const f of frames) {
    const dec = decoding.createDecoder(f);
    if (decoding.readVarUint(dec) !== 0) continue;
    syncProtocol.readSyncMessage(dec, encoding.createEncoder(), doc, 'raw');
  }
}

/** A raw socket holding a synced copy of the report (tests that write sync frames by hand). */
export interface SyncedRaw {
  sock: RawSocket;
  doc: Y.Doc;
}

/**
 * Opens a raw socket to `reportId` as `user`, syncs a copy of the report into a new Y.Doc and
 * returns both; `saved` asks for Saved messages (`?saved=<client id>`).
 */
export async function joinRaw(
  server: TestServer,
  reportId: string,
  user: TestUser,
  cleanup: Cleanup,
  options: { saved?: boolean } = {},
): Promise<SyncedRaw> {
  const doc = new Y.Doc();
  cleanup.add(() => doc.destroy());
  const url = `${server.wsUrl}/${reportId}${options.saved ? `?saved=${doc.clientID}` : ''}`;
  const sock = rawSocket(url, { cookie: user.cookie }, cleanup);
  await within(sock.opened, 10_000, 'raw open');
  sock.ws.send(syncFrame(0, Y.encodeStateVector(doc)), { binary: true });
  await waitFor(() => sock.frames.some((f) => f[0] === 0 && f[1] === 1), 'sync step 2');
  applySyncFrames(doc, sock.frames);
  return { sock, doc };
}

/** Inserts `text` at the start of paragraph `paragraph` in `raw`'s copy, sends the update, returns it. */
export function editRaw(raw: SyncedRaw, paragraph: number, text: string): Uint8Array {
  let update: Uint8Array | null = null;
  const keep = (u: Uint8Array) => {
    update = u;
  };
  raw.doc.on('update', keep);
  raw.doc.transact(() => paragraphText(paragraphs(raw.doc)[paragraph]!).insert(0, text));
  raw.doc.off('update', keep);
  raw.sock.ws.send(syncFrame(2, update!), { binary: true });
  return update!;
}
