/**
 * Helpers for the access-control suites (tests/integration/auth-*.test.ts): a stock y-websocket
 * client that records what the server tells it, a raw websocket client that decodes every frame,
 * an upgrade probe that reports the HTTP status of a refused upgrade, and readers for storage and
 * the audit log.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { createAccount, createGroup } from '../../server/accounts.js';
import { buildServer } from '../../server/app.js';
import { type Config, testConfig } from '../../server/config.js';
import type { AuditRecord } from '../../server/storage/types.js';
import {
  decodeNoticeBody,
  decodeSavedBody,
  FATAL_CLOSE_CODES,
  MessageType,
  type SavedClock,
  type ServerNotice,
  SyncParam,
} from '../../shared/protocol.js';
import type { Role } from '../../shared/roles.js';
import { SCHEMA_VERSION } from '../../shared/schema.js';
import { withSchema } from './clients.js';
import { databaseForDataDir, TEST_ENGINE } from './engines.js';
import {
  login,
  TEST_SCRATCH_ROOTS,
  type TestServer,
  type TestUser,
  tempDir,
  waitFor,
} from './server.js';

export { waitFor };

/** What y-websocket passes for a close (a DOM CloseEvent; `ws` gives the same fields). */
interface CloseInfo {
  code: number;
  reason: string;
}

/** The text of the Y.Text the auth suites write to. */
export const TEXT = 't';

/** Every client these helpers opened and not yet closed: `closeAll()` in `after`. */
const live = new Set<{ destroy(): void }>();

/** Closes every client the helpers opened (also those of a test that failed half-way). */
export function closeAll(): void {
  for (const c of [...live]) c.destroy();
  live.clear();
}

// --- the stock y-websocket provider, instrumented ---

export interface SyncClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Close codes of every server-side close, in order. */
  closes: number[];
  /** Reasons of the permission-denied (MessageType.Auth) messages received. */
  denied: string[];
  /** Notices (MessageType.Notice; only with `saved`). */
  notices: ServerNotice[];
  /** Saved clocks received (only with `saved`). */
  saved: SavedClock[];
  /** How many times the provider reached 'connected'. */
  connects: number;
  text(name?: string): string;
  destroy(): void;
}

export interface ConnectOptions {
  /** Ask for Concord's own messages (Saved, Notice) with `?saved=<clientID>`. */
  saved?: boolean;
  /** Extra upgrade headers (Origin…). */
  headers?: Record<string, string>;
  /** Use this Y.Doc (e.g. one whose clientID was set on purpose). */
  doc?: Y.Doc;
  /**
   * 'client' (default): reconnect unless the close code is fatal, as Concord's browser client does
   * (client/src/sync/session.ts). 'stock': y-websocket's own default (stops on any 44xx).
   */
  reconnect?: 'client' | 'stock';
}

/**
 * Connects the stock y-websocket WebsocketProvider as `user`. BroadcastChannel is always disabled:
 * providers of one room in one process would otherwise exchange updates without the server.
 */
export function connect(
  server: TestServer,
  user: TestUser,
  reportId: string,
  options: ConnectOptions = {},
): SyncClient {
  const doc = options.doc ?? new Y.Doc();
  const closes: number[] = [];
  const denied: string[] = [];
  const notices: ServerNotice[] = [];
  const saved: SavedClock[] = [];
  const provider = new WebsocketProvider(server.wsUrl, reportId, doc, {
    WebSocketPolyfill: server.ws(user, options.headers ?? {}) as never,
    disableBc: true,
    params: {
      [SyncParam.schema]: String(SCHEMA_VERSION),
      ...(options.saved ? { saved: String(doc.clientID) } : {}),
    },
    ...(options.reconnect === 'stock'
      ? {}
      : { shouldReconnect: (event: CloseInfo) => !FATAL_CLOSE_CODES.has(event.code) }),
  });
  // Record permission-denied messages, then let y-websocket handle them as it always does.
  const stockAuth = provider.messageHandlers[MessageType.Auth]!;
  provider.messageHandlers[MessageType.Auth] = (encoder, decoder, p, emitSynced, type) => {
    const copy = decoding.clone(decoder);
    if (decoding.readVarUint(copy) === 0) denied.push(decoding.readVarString(copy));
    stockAuth(encoder, decoder, p, emitSynced, type);
  };
  provider.messageHandlers[MessageType.Saved] = (_encoder, decoder) => {
    saved.push(...decodeSavedBody(decoder));
  };
  provider.messageHandlers[MessageType.Notice] = (_encoder, decoder) => {
    notices.push(decodeNoticeBody(decoder));
  };
  const client: SyncClient = {
    doc,
    provider,
    closes,
    denied,
    notices,
    saved,
    connects: 0,
    text: (name = TEXT) => doc.getText(name).toString(),
    destroy: () => {
      live.delete(client);
      provider.destroy();
      doc.destroy();
    },
  };
  live.add(client);
  provider.on('connection-close', (event: CloseInfo | null) => {
    if (event) closes.push(event.code);
  });
  provider.on('status', ({ status }: { status: string }) => {
    if (status === 'connected') client.connects++;
  });
  return client;
}

/** Connects and waits for the first sync. */
export async function connectSynced(
  server: TestServer,
  user: TestUser,
  reportId: string,
  options: ConnectOptions = {},
): Promise<SyncClient> {
  const client = connect(server, user, reportId, options);
  await waitFor(() => client.provider.synced, `${user.email} to sync ${reportId}`);
  return client;
}

/** Appends `text` to the shared Y.Text. */
export function type(client: SyncClient, text: string, name = TEXT): void {
  const t = client.doc.getText(name);
  t.insert(t.length, text);
}

// --- a raw websocket client ---

export type Frame =
  | { type: 'sync'; sub: number; payload: Uint8Array }
  | { type: 'awareness'; entries: Array<{ clientId: number; clock: number; state: unknown }> }
  | { type: 'auth'; sub: number; reason: string }
  | { type: 'saved'; clocks: SavedClock[] }
  | { type: 'notice'; notice: ServerNotice }
  | { type: 'other'; messageType: number };

export function decodeFrame(data: Uint8Array): Frame {
  const dec = decoding.createDecoder(data);
  const messageType = decoding.readVarUint(dec);
  switch (messageType) {
    case MessageType.Sync: {
      const sub = decoding.readVarUint(dec);
      return { type: 'sync', sub, payload: decoding.readVarUint8Array(dec) };
    }
    case MessageType.Awareness: {
      const body = decoding.createDecoder(decoding.readVarUint8Array(dec));
      const n = decoding.readVarUint(body);
      const entries = [];
      for (let i = 0; i < n; i++) {
        const clientId = decoding.readVarUint(body);
        const clock = decoding.readVarUint(body);
        entries.push({ clientId, clock, state: JSON.parse(decoding.readVarString(body)) });
      }
      return { type: 'awareness', entries };
    }
    case MessageType.Auth: {
      const sub = decoding.readVarUint(dec);
      return { type: 'auth', sub, reason: decoding.readVarString(dec) };
    }
    case MessageType.Saved:
      return { type: 'saved', clocks: decodeSavedBody(dec) };
    case MessageType.Notice:
      return { type: 'notice', notice: decodeNoticeBody(dec) };
    default:
      return { type: 'other', messageType };
  }
}

/** A sync step 1 (state vector of `doc`). */
export function syncStep1(doc: Y.Doc): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.Sync);
  syncProtocol.writeSyncStep1(enc, doc);
  return encoding.toUint8Array(enc);
}

/** A sync update message carrying `update`. */
export function syncUpdate(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.Sync);
  syncProtocol.writeUpdate(enc, update);
  return encoding.toUint8Array(enc);
}

/** An awareness message with one entry, built by hand (any client id, any clock, any state). */
export function awarenessMessage(clientId: number, clock: number, state: unknown): Uint8Array {
  const body = encoding.createEncoder();
  encoding.writeVarUint(body, 1);
  encoding.writeVarUint(body, clientId);
  encoding.writeVarUint(body, clock);
  encoding.writeVarString(body, JSON.stringify(state));
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, MessageType.Awareness);
  encoding.writeVarUint8Array(enc, encoding.toUint8Array(body));
  return encoding.toUint8Array(enc);
}

export class RawClient {
  readonly frames: Frame[] = [];
  /** The server's copy of the document, as far as sync messages told us. */
  readonly doc = new Y.Doc();
  closeEvent: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.binaryType = 'nodebuffer';
    ws.on('message', (data: Buffer) => {
      const frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      this.frames.push(frame);
      if (frame.type === 'sync' && frame.sub !== 0) Y.applyUpdate(this.doc, frame.payload);
    });
    ws.on('close', (code, reason) => {
      this.closeEvent = { code, reason: reason.toString() };
    });
  }

  /** Opens a socket as `user` on `reportId`; resolves once the server greeted it (sync step 1). */
  static async open(
    server: TestServer,
    user: TestUser,
    reportId: string,
    /** `schema: false`: do not declare the schema version (an old or careless client). */
    options: { query?: string; headers?: Record<string, string>; schema?: boolean } = {},
  ): Promise<RawClient> {
    const base = `${server.wsUrl}/${reportId}${options.query ? `?${options.query}` : ''}`;
    const url = options.schema === false ? base : withSchema(base);
    const ws = new WebSocket(url, { headers: { cookie: user.cookie, ...options.headers } });
    const client = new RawClient(ws);
    live.add(client);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
    await waitFor(() => client.frames.length > 0, 'the server greeting');
    return client;
  }

  /** Asks for the whole document and waits until it arrived. */
  async sync(): Promise<void> {
    const before = this.count((f) => f.type === 'sync' && f.sub === 1);
    this.send(syncStep1(new Y.Doc()));
    await waitFor(
      () => this.count((f) => f.type === 'sync' && f.sub === 1) > before,
      'sync step 2',
    );
  }

  send(message: Uint8Array): void {
    this.ws.send(message);
  }

  count(match: (f: Frame) => boolean): number {
    return this.frames.filter(match).length;
  }

  text(name = TEXT): string {
    return this.doc.getText(name).toString();
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(): void {
    live.delete(this);
    this.ws.terminate();
  }

  destroy(): void {
    this.close();
  }
}

// --- upgrades ---

export type UpgradeResult =
  | { status: number; body: string; ws?: undefined }
  | { status: 101; ws: WebSocket; body?: undefined };

/** Tries the sync upgrade; resolves with the HTTP status of a refusal or the open socket. */
export function tryUpgrade(url: string, headers: Record<string, string>): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      const entry = { destroy: () => ws.terminate() };
      live.add(entry);
      ws.once('close', () => live.delete(entry));
      resolve({ status: 101, ws });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    ws.once('error', reject);
  });
}

// --- storage and audit ---

/** The report as stored (snapshot + update log), rebuilt into a fresh Y.Doc. */
export async function storedDoc(server: TestServer, reportId: string): Promise<Y.Doc> {
  const stored = await server.app.storage.loadDocument(reportId);
  if (!stored) throw new Error(`report ${reportId} is not stored`);
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot.update);
  for (const u of stored.updates) Y.applyUpdate(doc, u);
  return doc;
}

export async function storedText(server: TestServer, reportId: string, name = TEXT) {
  return (await storedDoc(server, reportId)).getText(name).toString();
}

/** The group's audit log as the chair (or `as`) sees it over HTTP. */
export async function auditEvents(server: TestServer, as = server.chair): Promise<AuditRecord[]> {
  const res = await server.request('GET', `/api/groups/${server.groupId}/audit`, { as });
  if (res.status !== 200) throw new Error(`audit: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { events: AuditRecord[] }).events;
}

// --- people outside the test group ---

let outsiderCounter = 0;

/** A user with a session who belongs to another group (not to the test server's group). */
export async function outsider(
  server: TestServer,
  role: Role = 'chair',
): Promise<TestUser & { groupId: string }> {
  const n = ++outsiderCounter;
  const group = await createGroup(server.app.storage, `Other group ${n}`);
  const email = `outsider${n}-${Date.now()}@other.example`;
  const password = `outsider-password-${n}`;
  const displayName = `Outsider ${n}`;
  const represents = role === 'expert' || role === 'observer' ? `Other State ${n}` : null;
  const user = await createAccount(server.app.storage, {
    email,
    displayName,
    password,
    membership: { groupId: group.id, role, represents },
  });
  return {
    id: user.id,
    email,
    password,
    displayName,
    role,
    represents,
    cookie: await login(server.baseUrl, email, password),
    groupId: group.id,
  };
}

/** Another session (cookie) for the same user. */
export async function newSession(server: TestServer, user: TestUser): Promise<TestUser> {
  return { ...user, cookie: await login(server.baseUrl, user.email, user.password) };
}

/** The session token inside a `name=value` cookie. */
export function tokenOf(user: TestUser): string {
  return user.cookie.slice(user.cookie.indexOf('=') + 1);
}

// --- a server with nothing in it ---

export interface BareServer {
  app: Awaited<ReturnType<typeof buildServer>>;
  baseUrl: string;
  dataDir: string;
  close(): Promise<void>;
}

/** A real server on port 0 over `dataDir` (a new empty one by default), with no seeded users. */
export async function startBareServer(
  options: { dataDir?: string; config?: Partial<Config> } = {},
): Promise<BareServer> {
  const dataDir = options.dataDir ?? tempDir();
  const databaseUrl = TEST_ENGINE === 'postgres' ? await databaseForDataDir(dataDir) : null;
  const app = await buildServer(
    testConfig({ dataDir, databaseUrl, scratchRoots: TEST_SCRATCH_ROOTS, ...options.config }),
  );
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    baseUrl: address.replace('localhost', '127.0.0.1'),
    dataDir,
    close: () => app.close(),
  };
}

/** The awareness states another client sees, by client id. */
export function presenceOf(client: SyncClient, clientId: number): Record<string, unknown> | null {
  return (client.provider.awareness.getStates().get(clientId) as Record<string, unknown>) ?? null;
}
