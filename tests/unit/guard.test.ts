/**
 * The sync channel's guard (server/sync/guard.ts) decides before applying (issue #15): the
 * sequences that corrupted agreed text under apply-then-undo leave it byte-identical; an offline
 * batch that touches one agreed word keeps every unrelated edit; a new node cannot take an
 * existing id; content the schema does not know is never stored. Through the same decide-apply
 * path as live-report.ts, without sockets (tests/helpers/guard-sim.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Y from 'yjs';
import { buildReport, byId, fragment, identified, SimServer, xmlOf } from '../helpers/guard-sim.js';

const LOCKED = 'p0-1';

function setup(locked: string[] = [LOCKED]) {
  const server = new SimServer(buildReport(2, 4), new Set(locked));
  const agreed = new Map(locked.map((id) => [id, xmlOf(server.doc, id)]));
  const intact = (doc: Y.Doc) => [...agreed].every(([id, xml]) => xmlOf(doc, id) === xml);
  return { server, agreed, intact };
}

function textOf(doc: Y.Doc, id: string): Y.XmlText {
  return byId(doc, id)!
    .toArray()
    .find((n) => n instanceof Y.XmlText) as Y.XmlText;
}

function ids(doc: Y.Doc): string[] {
  return identified(doc).map((e) => e.getAttribute('id') as string);
}

test('refused edits built one on another leave the agreed paragraph byte-identical', () => {
  const { server, intact } = setup();
  const expert = server.join(7);
  const other = server.join(8);
  const steps: Array<[string, (doc: Y.Doc) => void]> = [
    ['insert a word', (d) => textOf(d, LOCKED).insert(4, 'NOT ')],
    ['delete a range', (d) => textOf(d, LOCKED).delete(2, 9)],
    ['format a range', (d) => textOf(d, LOCKED).format(0, 14, { em: {} })],
    ['set an attribute', (d) => byId(d, LOCKED)!.setAttribute('level', 3 as unknown as string)],
    [
      'delete the paragraph',
      (d) => {
        const chapter = byId(d, 'c0')!;
        chapter.delete(chapter.toArray().indexOf(byId(d, LOCKED)!), 1);
      },
    ],
    ['delete the chapter', (d) => fragment(d).delete(1, 1)],
  ];
  for (const [what, step] of steps) {
    step(expert.doc);
    const answer = expert.send()!;
    assert.ok(answer.refused.get('locked')?.has(LOCKED), `${what}: refused as locked`);
    assert.ok(intact(server.doc), `${what}: server`);
    assert.ok(intact(expert.doc), `${what}: author`);
    assert.ok(intact(other.doc), `${what}: other client`);
  }
  assert.ok(intact(server.reload()), 'after a restart');
  assert.equal(fragment(other.doc).toString(), fragment(server.doc).toString());
  assert.equal(fragment(expert.doc).toString(), fragment(server.doc).toString());
});

test('an offline batch touching one agreed word keeps every unrelated edit', () => {
  const { server, intact } = setup();
  const expert = server.join(7);
  const other = server.join(8);
  // Offline: several edits, one of them replaces a word of the agreed paragraph.
  textOf(expert.doc, 'p0-0').insert(0, 'First unrelated. ');
  textOf(expert.doc, LOCKED).delete(0, 9);
  textOf(expert.doc, LOCKED).insert(0, 'Changed');
  textOf(expert.doc, 'p1-2').insert(5, 'second unrelated ');
  const chapter = byId(expert.doc, 'c1')!;
  const p = new Y.XmlElement('paragraph');
  p.setAttribute('id', 'pnew');
  chapter.insert(chapter.length, [p]);
  const answer = expert.send()!;
  assert.ok(answer.resync, 'the deletion of agreed text was dropped: the author resyncs');
  for (const doc of [server.doc, other.doc, expert.doc, server.reload()]) {
    assert.ok(intact(doc));
    assert.match(textOf(doc, 'p0-0').toString(), /^First unrelated\. /);
    assert.match(textOf(doc, 'p1-2').toString(), /second unrelated /);
    assert.ok(byId(doc, 'pnew'));
  }
});

test('typing beside a refused insertion is kept once the paragraph is unlocked', () => {
  const { server, intact } = setup();
  const expert = server.join(7);
  textOf(expert.doc, LOCKED).insert(0, 'REFUSED ');
  assert.equal(expert.send()!.resync, false, 'an insertion is retracted, no resync');
  assert.ok(intact(expert.doc));
  server.locked = new Set();
  textOf(expert.doc, LOCKED).insert(0, 'Kept ');
  expert.send();
  assert.match(textOf(server.doc, LOCKED).toString(), /^Kept Paragraph/);
  assert.equal(fragment(expert.doc).toString(), fragment(server.doc).toString());
});

test('a new paragraph cannot take an existing id, locked or not', () => {
  const { server, intact } = setup();
  const expert = server.join(7);
  for (const taken of [LOCKED, 'p1-0', 'c0']) {
    const chapter = byId(expert.doc, 'c1')!;
    const forged = new Y.XmlElement('paragraph');
    forged.setAttribute('id', taken);
    const t = new Y.XmlText();
    t.insert(0, 'Forged text.');
    forged.insert(0, [t]);
    chapter.insert(1, [forged]);
    const answer = expert.send()!;
    assert.ok(answer.refused.get('duplicate-id')?.has(taken), taken);
    const all = ids(server.doc);
    assert.equal(all.length, new Set(all).size, `no id twice (${taken})`);
    assert.deepEqual(ids(expert.doc), all, 'the author converges');
  }
  // Two new paragraphs with the same fresh id in one update: the second loses it.
  const chapter = byId(expert.doc, 'c0')!;
  const a = new Y.XmlElement('paragraph');
  a.setAttribute('id', 'twin');
  const b = new Y.XmlElement('paragraph');
  b.setAttribute('id', 'twin');
  chapter.insert(1, [a, b]);
  expert.send();
  assert.equal(ids(server.doc).filter((id) => id === 'twin').length, 1);
  // Moving a paragraph (delete and insert with its id in one update) is no duplicate.
  expert.doc.transact(() => {
    const c1 = byId(expert.doc, 'c1')!;
    const moved = byId(expert.doc, 'p1-3')!;
    const xml = moved.clone();
    c1.delete(c1.toArray().indexOf(moved), 1);
    c1.insert(1, [xml]);
  });
  const answer = expert.send()!;
  assert.equal(answer.refused.size, 0, 'a move is accepted');
  assert.ok(byId(server.doc, 'p1-3'));
  assert.ok(intact(server.doc));
});

test('README "schema validation" on the sync channel: content the schema does not know is never stored; valid parts of the update are', () => {
  const { server } = setup([]);
  const expert = server.join(7);
  const before = fragment(server.doc).toString();
  const attempts: Array<[string, (doc: Y.Doc) => void]> = [
    ['a script element', (d) => byId(d, 'c0')!.insert(1, [new Y.XmlElement('script')])],
    ['a paragraph under the root', (d) => fragment(d).insert(1, [new Y.XmlElement('paragraph')])],
    [
      'text under the root',
      (d) => {
        const t = new Y.XmlText();
        t.insert(0, 'loose');
        fragment(d).insert(1, [t]);
      },
    ],
    ['loose text in a chapter', (d) => byId(d, 'c0')!.insert(1, [new Y.XmlText('loose')])],
    ['an unknown mark', (d) => textOf(d, 'p0-0').format(0, 4, { script: {} })],
    ['a mark value that is no object', (d) => textOf(d, 'p0-0').format(0, 4, { em: 'x' })],
    ['an undeclared attribute', (d) => byId(d, 'p0-0')!.setAttribute('onclick', 'x')],
    ['a bad level', (d) => byId(d, 'p0-0')!.setAttribute('level', 'deep')],
    ['an id that is no token', (d) => byId(d, 'p0-2')!.setAttribute('id', '<b>')],
    ['an embed in text', (d) => textOf(d, 'p0-0').insertEmbed(0, { x: 1 })],
    [
      'a map in the report',
      (d) => byId(d, 'c0')!.insert(1, [new Y.XmlHook('m') as unknown as Y.XmlElement]),
    ],
    ['the document’s schema version', (d) => d.getMap('concord').set('schemaVersion', 99)],
  ];
  for (const [what, attempt] of attempts) {
    expert.doc.transact(() => {
      attempt(expert.doc);
      textOf(expert.doc, 'p1-1').insert(0, '+');
    });
    const answer = expert.send()!;
    assert.ok(answer.refused.has('schema'), `${what}: refused`);
  }
  const kept = fragment(server.doc).toString();
  // A refused attribute value leaves the attribute unset: the author's update deleted the old
  // value (kept: the node is not locked). A refused mark's closing marker (value null) is valid
  // and kept: it splits a run without changing it (y-prosemirror reads the same text).
  const expected = before
    .replace('<paragraph id="p0-0" level="0">', '<paragraph id="p0-0">')
    .replace('<paragraph id="p0-2" level="0">', '<paragraph level="0">');
  const runs = (xml: string) => xml.replace(/\+/g, '').replace(/<\/(strong|em)><\1>/g, '');
  assert.equal(
    runs(kept),
    runs(expected),
    'only the valid part (the "+" typed alongside) was kept',
  );
  assert.match(textOf(server.doc, 'p1-1').toString(), /^\+{12}Paragraph/);
  assert.equal(fragment(server.reload()).toString(), kept);
  assert.equal(server.doc.getMap('concord').get('schemaVersion'), undefined);
});

test('the identified kinds and their rules come from the schema', async () => {
  const { REPORT_RULES } = await import('../../server/sync/schema-rules.js');
  const { schema } = await import('../../shared/schema.js');
  for (const type of Object.values(schema.nodes)) {
    if (type.spec.attrs && 'id' in type.spec.attrs)
      assert.ok(REPORT_RULES.identified.has(type.name), type.name);
  }
  assert.ok(REPORT_RULES.nodes.get('chapter')?.children.has('paragraph'));
  assert.ok(REPORT_RULES.top.children.has('chapter'));
  assert.equal(REPORT_RULES.nodes.get('chapter')?.text, false);
});
