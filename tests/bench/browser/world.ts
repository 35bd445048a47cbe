/**
 * The world of the browser benchmark (issue #19): a report of numbered paragraphs over chapters
 * (60–120 words each, brackets in some), statuses on a third of them, comment threads, and other
 * people present through stock y-websocket providers (cursors moving, a few typing slowly). The
 * same text goes to the bare stack and to Concord.
 */
import type { Node as PMNode } from 'prosemirror-model';
import WebSocket from 'ws';
import { prosemirrorToYXmlFragment } from 'y-prosemirror';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { newNodeId } from '../../../shared/ids.js';
import { REPORT_FRAGMENT, schema } from '../../../shared/schema.js';
import { sleep } from '../proc.js';

export interface WorldSize {
  paragraphs: number;
  chapters: number;
  threads: number;
  /** Other people present (stock providers). */
  people: number;
  /** Of whom typing slowly. */
  typers: number;
}

const WORDS = (
  'the group of governmental experts recommends that states consider further measures ' +
  'international law applies to the use of information and communications technologies ' +
  'confidence building capacity norms responsible behaviour critical infrastructure ' +
  'cooperation assistance request national frameworks regional organizations stakeholders ' +
  'should may could continue develop encourage reaffirm note welcome implementation'
).split(' ');

/** A small deterministic generator (the same text in every run). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface Report {
  doc: PMNode;
  /** Paragraph ids in document order. */
  ids: string[];
  /** Indexes of the paragraphs with square brackets (they cannot be agreed). */
  bracketed: Set<number>;
}

/** The report: a title, `chapters` chapters sharing `paragraphs` paragraphs. */
export function makeReport(size: WorldSize): Report {
  const rnd = lcg(19);
  const n = schema.nodes;
  const ids: string[] = [];
  const bracketed = new Set<number>();
  const chapters: PMNode[] = [];
  const per = Math.ceil(size.paragraphs / size.chapters);
  for (let c = 0; c < size.chapters; c++) {
    const paras: PMNode[] = [];
    for (let i = 0; i < per && ids.length < size.paragraphs; i++) {
      const count = 60 + Math.floor(rnd() * 61);
      const words: string[] = [];
      for (let w = 0; w < count; w++) words.push(WORDS[Math.floor(rnd() * WORDS.length)]!);
      if (rnd() < 0.25) {
        const at = Math.floor(rnd() * (count - 5));
        words[at] = `[${words[at]}`;
        words[at + 3] = `${words[at + 3]}]`;
        bracketed.add(ids.length);
      }
      const id = newNodeId();
      ids.push(id);
      paras.push(n['paragraph']!.create({ id, level: 0 }, schema.text(`${words.join(' ')}.`)));
    }
    chapters.push(
      n['chapter']!.create({ id: newNodeId() }, [
        n['chapter_heading']!.create(null, schema.text(`Chapter ${c + 1}`)),
        ...paras,
      ]),
    );
  }
  return {
    doc: n['doc']!.createChecked(null, [
      n['title']!.create(null, schema.text('Report of the Group of Governmental Experts')),
      ...chapters,
    ]),
    ids,
    bracketed,
  };
}

export interface Endpoint {
  /** ws://host:port/<prefix> without the room. */
  serverUrl: string;
  room: string;
  params: Record<string, string>;
  headers: Record<string, string>;
}

/** A stock y-websocket provider in this process (with the headers of a logged-in user). */
export function provider(end: Endpoint): WebsocketProvider {
  const WS = class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers: end.headers });
    }
  };
  return new WebsocketProvider(end.serverUrl, end.room, new Y.Doc(), {
    WebSocketPolyfill: WS as unknown as typeof globalThis.WebSocket,
    params: end.params,
    disableBc: true,
  });
}

export function synced(p: WebsocketProvider, ms = 30_000): Promise<void> {
  if (p.synced) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no sync with ${p.url} in ${ms} ms`)), ms);
    p.once('sync', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Paragraph elements of a synced Y.Doc, in document order. */
export function yParagraphs(doc: Y.Doc): Y.XmlElement[] {
  const out: Y.XmlElement[] = [];
  const walk = (el: Y.XmlFragment | Y.XmlElement) => {
    for (const child of el.toArray()) {
      if (!(child instanceof Y.XmlElement)) continue;
      if (child.nodeName === 'paragraph') out.push(child);
      else walk(child);
    }
  };
  walk(doc.getXmlFragment(REPORT_FRAGMENT));
  return out;
}

/** Replaces the document's content with the report, and waits until a fresh client sees it. */
export async function writeReport(end: Endpoint, report: Report): Promise<void> {
  const p = provider(end);
  try {
    await synced(p);
    const fragment = p.doc.getXmlFragment(REPORT_FRAGMENT);
    p.doc.transact(() => {
      if (fragment.length > 0) fragment.delete(0, fragment.length);
    });
    prosemirrorToYXmlFragment(report.doc, fragment);
    for (let i = 0; ; i++) {
      await sleep(200);
      const check = provider(end);
      try {
        await synced(check);
        if (yParagraphs(check.doc).length === report.ids.length) return;
      } finally {
        check.destroy();
      }
      if (i > 50) throw new Error('the report did not reach the server');
    }
  } finally {
    p.destroy();
  }
}

/** The first text of a paragraph element (where a typist adds letters). */
function firstText(p: Y.XmlElement): Y.XmlText | null {
  for (const c of p.toArray()) if (c instanceof Y.XmlText) return c;
  return null;
}

/**
 * Other people present: each moves its cursor about once a second (y-prosemirror's awareness
 * format); the first `typers` also type a letter every ~400 ms into a paragraph of their own
 * (`typable`: paragraphs nobody has locked, away from the benchmark's own).
 */
export class Crowd {
  private readonly providers: WebsocketProvider[] = [];
  private timers: ReturnType<typeof setInterval>[] = [];
  typed = 0;

  async start(end: Endpoint, size: WorldSize, typable: number[]): Promise<void> {
    for (let i = 0; i < size.people; i++) this.providers.push(provider(end));
    await Promise.all(this.providers.map((p) => synced(p)));
    const rnd = lcg(7);
    this.providers.forEach((p, i) => {
      p.awareness.setLocalStateField('user', { name: `Person ${i + 1}`, color: '#aa3377' });
      const move = () => {
        const paras = yParagraphs(p.doc);
        const para = paras[Math.floor(rnd() * paras.length)];
        const text = para && firstText(para);
        if (!text) return;
        const at = Math.floor(rnd() * text.length);
        const pos = Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, at));
        p.awareness.setLocalStateField('cursor', { anchor: pos, head: pos });
      };
      move();
      this.timers.push(setInterval(move, 800 + Math.floor(rnd() * 400)));
      if (i < size.typers && typable.length > 0) {
        const index = typable[(i * 37) % typable.length]!;
        let mine = 0;
        this.timers.push(
          setInterval(() => {
            const text = yParagraphs(p.doc)[index] && firstText(yParagraphs(p.doc)[index]!);
            if (!text) return;
            // "x x x…" in each typist's paragraph (the page is checked for it).
            text.insert(text.length, mine++ % 2 === 0 ? 'x' : ' ');
            this.typed++;
            const pos = Y.relativePositionToJSON(
              Y.createRelativePositionFromTypeIndex(text, text.length),
            );
            p.awareness.setLocalStateField('cursor', { anchor: pos, head: pos });
          }, 400),
        );
      }
    });
  }

  /** One of the crowd's documents (to check what reached the server). */
  doc(): Y.Doc | null {
    return this.providers[this.providers.length - 1]?.doc ?? null;
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const p of this.providers) p.destroy();
    this.providers.length = 0;
  }
}
