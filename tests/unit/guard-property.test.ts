/**
 * Property test of the sync guard (issue #15, "prove it by searching"): random sequences of raw
 * client operations (insert, delete, format with known and unknown marks, set attributes, move a
 * paragraph, delete a paragraph or a chapter, insert a paragraph with an existing id, nest
 * unknown elements, loose text), by two clients, each built on the client's state including the
 * server's answers (relays, retractions, resyncs), sometimes batched offline, against reports
 * with random sets of locked paragraphs. After each sequence: every locked paragraph is
 * byte-identical (text, marks, attributes) on the server, on every client and after a restart;
 * no id appears twice; every client converges with the server; nothing the schema does not know
 * is stored. Fixed seed; GUARD_RUNS raises the count (README: a longer run).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as Y from 'yjs';
import { REPORT_RULES, validAttribute } from '../../server/sync/schema-rules.js';
import {
  buildReport,
  byId,
  fragment,
  identified,
  type SimClient,
  SimServer,
  xmlOf,
} from '../helpers/guard-sim.js';

const RUNS = Number(process.env['GUARD_RUNS'] ?? 500);
const SEED = Number(process.env['GUARD_SEED'] ?? 20261207);

const KINDS = [
  'insert',
  'delete',
  'format',
  'unformat',
  'bad-mark',
  'level',
  'set-id',
  'bad-attr',
  'move',
  'delete-paragraph',
  'delete-chapter',
  'forge-id',
  'new-paragraph',
  'nest-unknown',
  'loose-text',
  'send',
] as const;

interface Op {
  kind: (typeof KINDS)[number];
  client: number;
  a: number;
  b: number;
  c: number;
  offline: boolean;
}

const op = fc.record({
  kind: fc.constantFrom(...KINDS),
  client: fc.nat(1),
  a: fc.nat(1000),
  b: fc.nat(1000),
  c: fc.nat(1000),
  offline: fc.boolean(),
});

const scenario = fc.record({
  chapters: fc.integer({ min: 1, max: 2 }),
  perChapter: fc.integer({ min: 2, max: 4 }),
  lockMask: fc.nat(255),
  ops: fc.array(op, { minLength: 1, maxLength: 16 }),
});

function paragraphsOf(doc: Y.Doc): Y.XmlElement[] {
  return identified(doc).filter((e) => e.nodeName === 'paragraph');
}

function textIn(p: Y.XmlElement): Y.XmlText | null {
  return (p.toArray().find((n) => n instanceof Y.XmlText) as Y.XmlText | undefined) ?? null;
}

function apply(doc: Y.Doc, o: Op): void {
  const paras = paragraphsOf(doc);
  const chapters = fragment(doc)
    .toArray()
    .filter((n): n is Y.XmlElement => n instanceof Y.XmlElement && n.nodeName === 'chapter');
  const ids = identified(doc).map((e) => e.getAttribute('id') as string);
  const p = paras.length > 0 ? paras[o.a % paras.length]! : null;
  const text = p ? textIn(p) : null;
  const len = text?.length ?? 0;
  const at = len > 0 ? o.b % len : 0;
  const span = len > 0 ? 1 + (o.c % Math.max(1, len - at)) : 0;
  switch (o.kind) {
    case 'insert':
      text?.insert(at, `w${o.c} `);
      return;
    case 'delete':
      if (span > 0) text?.delete(at, span);
      return;
    case 'format':
      if (span > 0) text?.format(at, span, { [o.c % 2 ? 'em' : 'strong']: {} });
      return;
    case 'unformat':
      if (span > 0) text?.format(at, span, { strong: null });
      return;
    case 'bad-mark':
      if (span > 0) text?.format(at, span, { script: { src: 'x' } });
      return;
    case 'level':
      p?.setAttribute('level', (o.c % 5) as unknown as string);
      return;
    case 'set-id':
      p?.setAttribute('id', o.c % 2 ? ids[o.c % ids.length]! : `fresh${o.c}`);
      return;
    case 'bad-attr':
      p?.setAttribute('onclick', 'alert(1)');
      return;
    case 'move': {
      if (!p || chapters.length === 0) return;
      const parent = p.parent as Y.XmlElement;
      const copy = p.clone();
      doc.transact(() => {
        parent.delete(parent.toArray().indexOf(p), 1);
        const target = chapters[o.c % chapters.length]!;
        target.insert(1 + (o.b % target.length), [copy]);
      });
      return;
    }
    case 'delete-paragraph':
      if (p) (p.parent as Y.XmlElement).delete((p.parent as Y.XmlElement).toArray().indexOf(p), 1);
      return;
    case 'delete-chapter':
      if (chapters.length > 0) {
        const chapter = chapters[o.a % chapters.length]!;
        fragment(doc).delete(fragment(doc).toArray().indexOf(chapter), 1);
      }
      return;
    case 'forge-id':
    case 'new-paragraph': {
      if (chapters.length === 0) return;
      const el = new Y.XmlElement('paragraph');
      el.setAttribute('id', o.kind === 'forge-id' ? ids[o.c % ids.length]! : `n${o.a}-${o.c}`);
      el.insert(0, [new Y.XmlText(`text ${o.b}`)]);
      const target = chapters[o.c % chapters.length]!;
      target.insert(1 + (o.b % target.length), [el]);
      return;
    }
    case 'nest-unknown': {
      const el = new Y.XmlElement('script');
      el.insert(0, [new Y.XmlText('alert(1)')]);
      if (o.c % 2 && p) p.insert(0, [el]);
      else chapters[0]?.insert(1, [el]);
      return;
    }
    case 'loose-text':
      chapters[0]?.insert(1, [new Y.XmlText('loose')]);
      return;
    case 'send':
      return;
  }
}

/** Everything stored is known to the schema: names in their parent, attributes, marks. */
function schemaViolations(doc: Y.Doc): string[] {
  const out: string[] = [];
  const visit = (parent: Y.XmlFragment, rules: (typeof REPORT_RULES)['top']) => {
    for (const child of parent.toArray()) {
      if (child instanceof Y.XmlText) {
        if (!rules.text) out.push(`text in ${rules.name}`);
        for (const d of child.toDelta() as Array<{ attributes?: Record<string, unknown> }>)
          for (const mark of Object.keys(d.attributes ?? {}))
            if (!rules.marks.has(mark)) out.push(`mark ${mark} in ${rules.name}`);
      } else if (child instanceof Y.XmlElement) {
        const childRules = REPORT_RULES.nodes.get(child.nodeName);
        if (!childRules || !rules.children.has(child.nodeName)) {
          out.push(`${child.nodeName} in ${rules.name}`);
          continue;
        }
        for (const [key, value] of Object.entries(child.getAttributes()))
          if (!validAttribute(childRules, key, value)) out.push(`${key}=${value}`);
        visit(child, childRules);
      } else out.push(`${String(child)} in ${rules.name}`);
    }
  };
  visit(fragment(doc), REPORT_RULES.top);
  return out;
}

test(`the guard keeps locked text, ids and the schema over ${RUNS} random sequences`, () => {
  fc.assert(
    fc.property(scenario, ({ chapters, perChapter, lockMask, ops }) => {
      const all: string[] = [];
      for (let c = 0; c < chapters; c++)
        for (let p = 0; p < perChapter; p++) all.push(`p${c}-${p}`);
      const locked = all.filter((_, i) => lockMask & (1 << i));
      const server = new SimServer(buildReport(chapters, perChapter), new Set(locked));
      const agreed = new Map(locked.map((id) => [id, xmlOf(server.doc, id)]));
      // The second is a stock y-websocket client: it never rebuilds, the server repairs it.
      const clients: SimClient[] = [server.join(11), server.join(12, true)];
      for (const o of ops) {
        const client = clients[o.client]!;
        apply(client.doc, o);
        if (!o.offline || o.kind === 'send') client.send();
      }
      for (const c of clients) c.send();
      const reloaded = server.reload();
      for (const [name, doc] of [
        ['server', server.doc],
        ['reload', reloaded],
        ...clients.map((c, i) => [`client ${i}`, c.doc] as const),
      ] as const) {
        for (const [id, xml] of agreed) assert.equal(xmlOf(doc, id), xml, `${name}: ${id}`);
        const ids = identified(doc).map((e) => e.getAttribute('id'));
        assert.equal(ids.length, new Set(ids).size, `${name}: an id twice (${ids})`);
        assert.equal(
          fragment(doc).toString(),
          fragment(server.doc).toString(),
          `${name}: converged`,
        );
      }
      assert.deepEqual(schemaViolations(server.doc), [], 'nothing unknown stored');
      assert.deepEqual(schemaViolations(reloaded), []);
      for (const id of locked) assert.ok(byId(server.doc, id), `${id} still there`);
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
});
