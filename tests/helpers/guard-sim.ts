/**
 * The sync channel's write path without sockets, for fast and many-seeded tests of the guard:
 * a server document that decides each client update with UpdateGuard and applies what it keeps
 * (as server/sync/live-report.ts does), a log of what it would store, and clients that send
 * their changes, get the others' relayed, their own retraction back, and rebuild from the
 * server when told to resync.
 */
import * as Y from 'yjs';
import { type RefusalKind, UpdateGuard } from '../../server/sync/guard.js';
import { repairDropped } from '../../server/sync/repair.js';
import { REPORT_FRAGMENT } from '../../shared/schema.js';

const FROM_SERVER = Symbol('from-server');

export interface Answer {
  retract: Uint8Array | null;
  resync: boolean;
  refused: Map<RefusalKind, Set<string>>;
}

export class SimServer {
  doc = new Y.Doc();
  /** What the server stored, in order (a restart replays it). */
  readonly log: Uint8Array[] = [];
  private readonly clients = new Set<SimClient>();

  constructor(
    initial: Uint8Array,
    public locked: ReadonlySet<string>,
    private readonly scratchRoots: ReadonlySet<string> = new Set(),
  ) {
    // Lower than every client's: where Yjs orders concurrent items by client id, the server's
    // own changes (repairs) lose to a client's, the harder case.
    this.doc.clientID = 3;
    Y.applyUpdate(this.doc, initial);
    this.log.push(Y.encodeStateAsUpdate(this.doc));
  }

  /** A client; `stock` ones never rebuild (y-websocket): the server repairs them. */
  join(clientId: number, stock = false): SimClient {
    const client = new SimClient(this, clientId, stock);
    this.clients.add(client);
    return client;
  }

  /** Decides, applies, stores and relays `update` from `author`. */
  receive(author: SimClient, update: Uint8Array): Answer {
    const decision = new UpdateGuard(this.doc, Y.decodeUpdate(update), {
      locked: this.locked,
      scratchRoots: this.scratchRoots,
    }).decide(update);
    const emitted: Uint8Array[] = [];
    const collect = (u: Uint8Array) => emitted.push(u);
    this.doc.on('update', collect);
    Y.applyUpdate(this.doc, decision.update);
    this.doc.off('update', collect);
    if (this.doc.store.pendingStructs || this.doc.store.pendingDs)
      throw new Error('the server parked structs');
    for (const u of emitted) {
      this.log.push(u);
      for (const c of this.clients) if (c !== author) c.receive(u);
    }
    if (decision.resync && author.stock) {
      // As live-report.ts does for a client that cannot rebuild: the server's own repair.
      const repairs: Uint8Array[] = [];
      const collectRepair = (u: Uint8Array) => repairs.push(u);
      this.doc.on('update', collectRepair);
      this.doc.transact(() => repairDropped(this.doc, decision.dropped));
      this.doc.off('update', collectRepair);
      for (const u of repairs) {
        this.log.push(u);
        for (const c of this.clients) c.receive(u);
      }
    }
    return { retract: decision.retract, resync: decision.resync, refused: decision.refused };
  }

  /** A restart: the live document is dropped and loaded again from what was stored. */
  restart(): void {
    this.doc.destroy();
    this.doc = this.reload();
    this.doc.clientID = 3;
  }

  /** The document a restart would load. */
  reload(): Y.Doc {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.mergeUpdates(this.log));
    return doc;
  }
}

export class SimClient {
  doc: Y.Doc;
  private pending: Uint8Array[] = [];
  resyncs = 0;
  readonly answers: Answer[] = [];

  constructor(
    private readonly server: SimServer,
    private readonly clientId: number,
    readonly stock = false,
  ) {
    this.doc = this.fresh();
  }

  private fresh(): Y.Doc {
    const doc = new Y.Doc();
    // A rebuilt client takes a new client id, as the Concord client's new Y.Doc does.
    doc.clientID = this.clientId * 1000 + this.resyncs;
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(this.server.doc), FROM_SERVER);
    doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin !== FROM_SERVER) this.pending.push(u);
    });
    return doc;
  }

  /** Messages from the server not yet delivered, when delivery is delayed (see `flush`). */
  inbox: Uint8Array[] | null = null;

  receive(update: Uint8Array): void {
    if (this.inbox) this.inbox.push(update);
    else Y.applyUpdate(this.doc, update, FROM_SERVER);
  }

  /** Delivers the delayed messages in an order `pick` chooses, some of them twice. */
  flush(pick: (n: number) => number): void {
    const box = this.inbox ?? [];
    this.inbox = this.inbox ? [] : null;
    while (box.length > 0) {
      const [u] = box.splice(pick(box.length), 1);
      Y.applyUpdate(this.doc, u!, FROM_SERVER);
      if (pick(4) === 0) Y.applyUpdate(this.doc, u!, FROM_SERVER);
    }
  }

  /** Reconnects after a restart: sends what the server lacks, gets what it lacks. */
  reconnect(): void {
    this.pending = [];
    const mine = Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.server.doc));
    if (!isEmpty(mine)) {
      this.pending = [mine];
      this.send();
    }
    Y.applyUpdate(
      this.doc,
      Y.encodeStateAsUpdate(this.server.doc, Y.encodeStateVector(this.doc)),
      FROM_SERVER,
    );
  }

  /** Sends what changed since the last send, as one update (an offline batch when several). */
  send(): Answer | null {
    if (this.pending.length === 0) return null;
    const update = Y.mergeUpdates(this.pending);
    this.pending = [];
    const answer = this.server.receive(this, update);
    this.answers.push(answer);
    if (answer.retract) this.receive(answer.retract);
    if (answer.resync && !this.stock) {
      this.resyncs++;
      this.doc.destroy();
      this.doc = this.fresh();
    }
    return answer;
  }
}

function isEmpty(update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  return structs.length === 0 && ds.clients.size === 0;
}

export function fragment(doc: Y.Doc): Y.XmlFragment {
  return doc.getXmlFragment(REPORT_FRAGMENT);
}

/** Every element of the report with an `id`, in document order. */
export function identified(doc: Y.Doc): Y.XmlElement[] {
  const out: Y.XmlElement[] = [];
  const visit = (t: Y.XmlFragment) => {
    for (const child of t.toArray()) {
      if (!(child instanceof Y.XmlElement)) continue;
      if (child.getAttribute('id') !== undefined) out.push(child);
      visit(child);
    }
  };
  visit(fragment(doc));
  return out;
}

export function byId(doc: Y.Doc, id: string): Y.XmlElement | undefined {
  return identified(doc).find((e) => e.getAttribute('id') === id);
}

/** A node as XML with its attributes, text and marks (Yjs sorts attributes). */
export function xmlOf(doc: Y.Doc, id: string): string {
  return byId(doc, id)?.toString() ?? '(missing)';
}

/** A report: a title and chapters of paragraphs `p<chapter>-<n>`, some bold. */
export function buildReport(chapters: number, perChapter: number): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = 1;
  const root = fragment(doc);
  const title = new Y.XmlElement('title');
  const titleText = new Y.XmlText();
  titleText.insert(0, 'A report');
  title.insert(0, [titleText]);
  root.insert(0, [title]);
  for (let c = 0; c < chapters; c++) {
    const chapter = new Y.XmlElement('chapter');
    chapter.setAttribute('id', `c${c}`);
    const heading = new Y.XmlElement('chapter_heading');
    const headingText = new Y.XmlText();
    headingText.insert(0, `Chapter ${c}`);
    heading.insert(0, [headingText]);
    chapter.insert(0, [heading]);
    for (let p = 0; p < perChapter; p++) {
      const para = new Y.XmlElement('paragraph');
      para.setAttribute('id', `p${c}-${p}`);
      para.setAttribute('level', (p % 2) as unknown as string);
      const text = new Y.XmlText();
      text.insert(0, `Paragraph ${c}.${p} says what the group agrees.`);
      para.insert(0, [text]);
      chapter.insert(1 + p, [para]);
    }
    root.insert(root.length, [chapter]);
    // Marks once the text is in the document (a detached text cannot be formatted).
    for (let p = 0; p < perChapter; p += 3) {
      const para = chapter.get(1 + p) as Y.XmlElement;
      (para.get(0) as Y.XmlText).format(0, 9, { strong: {} });
    }
  }
  return Y.encodeStateAsUpdate(doc);
}
