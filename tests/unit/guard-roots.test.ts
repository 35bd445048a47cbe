/**
 * Root keys of the Y.Doc (issue #15, defect 3): the server and the clients read only the report
 * (REPORT_FRAGMENT) and the server's own document facts (DOCUMENT_META). A client that writes any
 * other root key, of any type (text, map, array, XML, nested types), or writes into the document
 * facts, is refused item by item, and the rest of the same update stays. Property test with
 * fast-check, fixed seed (ROOTS_RUNS raises the count), through the decide-apply path of
 * live-report.ts (tests/helpers/guard-sim.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as Y from 'yjs';
import { REPORT_FRAGMENT, SCHEMA_VERSION } from '../../shared/schema.js';
import { DOCUMENT_META } from '../../shared/upgrade.js';
import { buildReport, fragment, identified, SimServer } from '../helpers/guard-sim.js';

const RUNS = Number(process.env['ROOTS_RUNS'] ?? 300);
const SEED = Number(process.env['ROOTS_SEED'] ?? 20261208);
const SCRATCH = 'scratch';

/** A report with its schema version stamped, as the server keeps it. */
function stampedReport(): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, buildReport(1, 3));
  doc.clientID = 2;
  doc.getMap(DOCUMENT_META).set('schemaVersion', SCHEMA_VERSION);
  return Y.encodeStateAsUpdate(doc);
}

const KINDS = ['text', 'map', 'map-nested', 'array', 'array-nested', 'xml', 'xmltext'] as const;
type Kind = (typeof KINDS)[number];

/** Every live item of a root type (list and map). */
// biome-ignore lint/suspicious/noExplicitAny: any shared type
function liveItems(type: Y.AbstractType<any>): number {
  let n = 0;
  for (let item = type._start; item !== null; item = item.right) if (!item.deleted) n++;
  for (const item of type._map.values()) if (!item.deleted) n++;
  return n;
}

/** The kind a key has in one scenario (every client must agree, or Yjs throws on the name). */
function kindOf(key: string, salt: number): Kind {
  let h = salt;
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return KINDS[h % KINDS.length]!;
}

function writeRoot(doc: Y.Doc, key: string, kind: Kind, n: number): void {
  switch (kind) {
    case 'text':
      doc.getText(key).insert(0, `t${n}`);
      return;
    case 'map':
      doc.getMap(key).set(`k${n % 3}`, n);
      return;
    case 'map-nested': {
      const inner = new Y.Text();
      inner.insert(0, `hidden ${n}`);
      doc.getMap(key).set('inner', inner);
      return;
    }
    case 'array':
      doc.getArray(key).push([n, `s${n}`, { json: n }]);
      return;
    case 'array-nested': {
      const m = new Y.Map();
      m.set('a', n);
      doc.getArray(key).insert(0, [m]);
      return;
    }
    case 'xml': {
      const el = new Y.XmlElement('script');
      el.insert(0, [new Y.XmlText(`alert(${n})`)]);
      doc.getXmlFragment(key).insert(0, [el]);
      return;
    }
    case 'xmltext':
      doc.get(key, Y.XmlText).insert(0, `x${n}`);
      return;
  }
}

const op = fc.oneof(
  fc.record({
    kind: fc.constant('root' as const),
    key: fc.oneof(
      fc.constantFrom('x', 'notes', 'comments', SCRATCH, 'report2', ''),
      fc.string({ maxLength: 6 }),
    ),
    client: fc.nat(1),
    n: fc.nat(99),
  }),
  fc.record({
    kind: fc.constantFrom('meta-version' as const, 'meta-other' as const, 'report' as const),
    key: fc.constant(''),
    client: fc.nat(1),
    n: fc.nat(99),
  }),
  fc.record({
    kind: fc.constant('send' as const),
    key: fc.constant(''),
    client: fc.nat(1),
    n: fc.constant(0),
  }),
);

test(`no root key outside the report takes content, over ${RUNS} random sequences`, () => {
  fc.assert(
    fc.property(fc.nat(1000), fc.array(op, { minLength: 1, maxLength: 12 }), (salt, ops) => {
      const server = new SimServer(stampedReport(), new Set(), new Set([SCRATCH]));
      const clients = [server.join(21), server.join(22)];
      const typed: string[] = [];
      for (const o of ops) {
        const client = clients[o.client]!;
        const doc = client.doc;
        if (o.kind === 'root') {
          if (o.key === REPORT_FRAGMENT || o.key === DOCUMENT_META) continue;
          writeRoot(doc, o.key, kindOf(o.key, salt), o.n);
        } else if (o.kind === 'meta-version') {
          doc.getMap(DOCUMENT_META).set('schemaVersion', o.n);
        } else if (o.kind === 'meta-other') {
          doc.getMap(DOCUMENT_META).set(`extra${o.n % 2}`, 'x'.repeat(o.n));
        } else if (o.kind === 'report') {
          // An ordinary edit in the same update must survive the refusal of the rest.
          const p = identified(doc).filter((e) => e.nodeName === 'paragraph')[o.n % 3]!;
          const word = `w${o.client}x${o.n}x${typed.length}`;
          (p.get(0) as Y.XmlText).insert(0, `${word} `);
          typed.push(word);
        }
        if (o.kind === 'send') client.send();
      }
      for (const c of clients) c.send();
      const allowed = new Set([REPORT_FRAGMENT, DOCUMENT_META, SCRATCH]);
      for (const [name, doc] of [
        ['server', server.doc],
        ['reload', server.reload()],
      ] as const) {
        const foreign = [...doc.share.keys()].filter((k) => !allowed.has(k));
        assert.deepEqual(foreign, [], `${name}: root keys outside the report`);
        const meta = doc.getMap(DOCUMENT_META).toJSON();
        assert.deepEqual(meta, { schemaVersion: SCHEMA_VERSION }, `${name}: document facts`);
        const report = fragment(doc).toString();
        for (const word of typed) assert.ok(report.includes(word), `${name}: ${word} kept`);
      }
      for (const [i, c] of clients.entries()) {
        assert.equal(fragment(c.doc).toString(), fragment(server.doc).toString(), `client ${i}`);
        // What the author wrote outside the report was retracted on its side too.
        for (const [key, type] of c.doc.share) {
          if (allowed.has(key)) continue;
          assert.equal(liveItems(type), 0, `client ${i}: ${JSON.stringify(key)} retracted`);
        }
        if (server.doc.share.has(SCRATCH))
          assert.equal(
            liveItems(c.doc.share.get(SCRATCH)!),
            liveItems(server.doc.share.get(SCRATCH)!),
            `client ${i}: scratch converged`,
          );
      }
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
});

test('a root key outside the report is refused in words; the report edit beside it stays', () => {
  const server = new SimServer(stampedReport(), new Set());
  const author = server.join(31);
  const other = server.join(32);
  author.doc.transact(() => {
    author.doc.getMap('hidden').set('payload', 'x'.repeat(1000));
    (identified(author.doc)[1]!.get(0) as Y.XmlText).insert(0, 'Kept ');
  });
  const answer = author.send()!;
  assert.deepEqual([...(answer.refused.get('schema') ?? [])], ['root key hidden']);
  assert.ok(answer.retract, 'the author is told to delete it');
  assert.equal(server.doc.share.has('hidden'), false);
  assert.equal(other.doc.share.has('hidden'), false, 'nothing relayed under that key');
  assert.ok(fragment(server.doc).toString().includes('Kept '));
  assert.ok(fragment(other.doc).toString().includes('Kept '));
});

test("a client cannot overwrite or delete the server's schema version", () => {
  const server = new SimServer(stampedReport(), new Set());
  const author = server.join(41);
  author.doc.getMap(DOCUMENT_META).set('schemaVersion', 1);
  author.send();
  author.doc.getMap(DOCUMENT_META).delete('schemaVersion');
  author.send();
  assert.equal(server.doc.getMap(DOCUMENT_META).get('schemaVersion'), SCHEMA_VERSION);
  assert.equal(server.reload().getMap(DOCUMENT_META).get('schemaVersion'), SCHEMA_VERSION);
});
