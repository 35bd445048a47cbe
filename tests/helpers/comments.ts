/** Helpers for the comment-thread tests: a raw sync socket that collects Event messages, and API calls. */
import * as decoding from 'lib0/decoding';
import type WebSocket from 'ws';
import { paragraphNumbers } from '../../server/comments/numbers.js';
import type { InboxResponse, ThreadView } from '../../shared/comments.js';
import type { ReportEvent } from '../../shared/events.js';
import { MessageType } from '../../shared/protocol.js';
import { type TestServer, type TestUser, waitFor } from './server.js';

const open = new Set<WebSocket>();

/** A raw socket on the report's sync URL with `events=<after>`, keeping every Event it gets. */
export class EventClient {
  readonly events: ReportEvent[] = [];
  otherTypes = new Set<number>();
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      const dec = decoding.createDecoder(new Uint8Array(data));
      const type = decoding.readVarUint(dec);
      if (type === MessageType.Event)
        this.events.push(JSON.parse(decoding.readVarString(dec)) as ReportEvent);
      else this.otherTypes.add(type);
    });
  }

  static async connect(
    server: TestServer,
    user: TestUser,
    reportId: string,
    after: number | null = 0,
  ): Promise<EventClient> {
    const WS = server.ws(user);
    const q = after === null ? '' : `?events=${after}`;
    const socket = new WS(`${server.wsUrl}/${reportId}${q}`);
    open.add(socket);
    const client = new EventClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    // The server greets with sync step 1 once the report is live (and only then subscribes).
    await waitFor(() => client.otherTypes.has(MessageType.Sync), 'the sync greeting');
    return client;
  }

  get lastSeq(): number {
    return this.events.reduce((m, e) => Math.max(m, e.seq), 0);
  }

  /** The pushed thread events, in order. */
  threadEvents(): Array<Extract<ReportEvent, { type: 'thread' }>> {
    return this.events.filter((e) => e.type === 'thread');
  }

  threads(): string[] {
    return [...new Set(this.threadEvents().map((e) => e.thread.id))];
  }

  /** The latest pushed state of a thread. */
  latest(threadId: string): ThreadView | undefined {
    return this.threadEvents()
      .filter((e) => e.thread.id === threadId)
      .at(-1)?.thread;
  }

  async waitForSeq(seq: number, what = `event ${seq}`): Promise<void> {
    await waitFor(() => this.events.some((e) => e.seq === seq), what);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === this.socket.CLOSED) return;
    const closed = new Promise((r) => this.socket.once('close', r));
    this.socket.close();
    await closed;
    open.delete(this.socket);
  }
}

export function closeEventClients(): void {
  for (const s of open) s.terminate();
  open.clear();
}

let keys = 0;
export const key = () => `k-${process.pid}-${++keys}`;

export async function paragraphIds(server: TestServer, reportId: string): Promise<string[]> {
  return [...(await paragraphNumbers(server.app, reportId)).keys()];
}

export async function json<T = { thread: ThreadView }>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export async function openThread(
  server: TestServer,
  user: TestUser,
  reportId: string,
  body: Record<string, unknown>,
): Promise<ThreadView> {
  const res = await server.request('POST', `/api/reports/${reportId}/threads`, {
    as: user,
    body: { kind: 'comment', body: 'A comment.', idempotencyKey: key(), ...body },
  });
  return (await json(res, 201)).thread;
}

export async function reply(
  server: TestServer,
  user: TestUser,
  threadId: string,
  body: string,
  extra: Record<string, unknown> = {},
): Promise<ThreadView> {
  const res = await server.request('POST', `/api/threads/${threadId}/messages`, {
    as: user,
    body: { body, idempotencyKey: key(), ...extra },
  });
  return (await json(res, 201)).thread;
}

export async function listThreads(server: TestServer, user: TestUser, reportId: string) {
  return json<{ threads: ThreadView[]; seq: number }>(
    await server.request('GET', `/api/reports/${reportId}/threads`, { as: user }),
    200,
  );
}

export async function inbox(server: TestServer, user: TestUser): Promise<InboxResponse> {
  return json<InboxResponse>(await server.request('GET', '/api/inbox', { as: user }), 200);
}
