/**
 * The stock y-websocket client after a refused deletion (issue #15): Yjs deletions are final on
 * its side, and it never rebuilds its copy, so the server brings it back with its own change
 * (server/sync/repair.ts: the node it deleted is replaced by an identical copy). After each
 * refused deletion of agreed text (characters, an attribute, the paragraph, its chapter) the
 * stock client converges with the server without a reload or a reconnect, the agreed text keeps
 * its hash everywhere, and the client goes on editing.
 */
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import * as Y from 'yjs';
import { agreedTextHash, identifiedNode } from '../../server/consensus/agreed-text.js';
import { reportToProseMirror } from '../../server/reports.js';
import { closeAll, connectSynced, storedDoc } from '../helpers/auth.js';
import {
  chapters,
  paragraphs,
  paragraphText,
  reportFragment,
  reportXml,
  serverDoc,
} from '../helpers/clients.js';
import { appendToParagraph, setStatus } from '../helpers/consensus.js';
import { startTestServer, type TestServer, type TestUser, waitFor } from '../helpers/server.js';

let server: TestServer;
let expert: TestUser;

before(async () => {
  mock.method(console, 'warn', () => {});
  server = await startTestServer();
  expert = await server.addUser('expert', 'Brazil');
});

after(async () => {
  closeAll();
  await server?.close();
  mock.restoreAll();
});

const byId = (doc: Y.Doc, id: string) => paragraphs(doc).find((p) => p.getAttribute('id') === id);

function hashOf(doc: Y.Doc, id: string): string {
  const node = identifiedNode(reportToProseMirror(doc), id);
  assert.ok(node, `${id} is there`);
  return agreedTextHash(node);
}

test('a stock client whose deletions of agreed text are refused converges with the server, without a reload', async () => {
  const reportId = (await server.createReport('Repair', 'gge-report')).id;
  const live = await serverDoc(server, reportId);
  // The first paragraph inside a chapter, and the chapter (a top-level node) around it.
  const topOf = (n: Y.XmlElement): Y.XmlElement => {
    let at = n;
    while (at.parent instanceof Y.XmlElement) at = at.parent;
    return at;
  };
  const first = paragraphs(live).find((p) => topOf(p).nodeName === 'chapter')!;
  const chapter = topOf(first);
  const agreed = first.getAttribute('id') as string;
  const open = paragraphs(live).at(-1)!.getAttribute('id') as string;
  assert.notEqual(open, agreed);
  await appendToParagraph(server, reportId, agreed, 'The Group agrees on this text.');
  await appendToParagraph(server, reportId, open, 'Still open.');
  await setStatus(server, reportId, agreed, 'agreed');
  const hash = hashOf(live, agreed);
  const stock = await connectSynced(server, expert, reportId, { reconnect: 'stock' });
  // Higher than the server's: where Yjs orders concurrent items by client id, the author's then
  // win over the server's (the harder case for a repair).
  const ownId = stock.doc.clientID;
  stock.doc.clientID = live.clientID + 1;
  const chair = await connectSynced(server, server.chair, reportId);
  const chapterIndex = reportFragment(stock.doc)
    .toArray()
    .indexOf(chapters(stock.doc).find((c) => c.getAttribute('id') === chapter.getAttribute('id'))!);
  const steps: Array<[string, (d: Y.Doc) => void]> = [
    ['delete characters', (d) => paragraphText(byId(d, agreed)!).delete(4, 6)],
    ['set its level', (d) => byId(d, agreed)!.setAttribute('level', 2 as unknown as string)],
    [
      'delete the paragraph',
      (d) => {
        const p = byId(d, agreed)!;
        const parent = p.parent as Y.XmlElement;
        parent.delete(parent.toArray().indexOf(p), 1);
      },
    ],
    ['delete the chapter', (d) => reportFragment(d).delete(chapterIndex, 1)],
  ];
  for (const [what, step] of steps) {
    const denied = stock.denied.length;
    step(stock.doc);
    await waitFor(() => stock.denied.length > denied, `${what}: the refusal`);
    await waitFor(
      () => reportXml(stock.doc) === reportXml(live) && reportXml(chair.doc) === reportXml(live),
      `${what}: the stock client converges`,
    );
    assert.equal(hashOf(stock.doc, agreed), hash, `${what}: agreed text at the stock client`);
    assert.equal(hashOf(live, agreed), hash, `${what}: agreed text on the server`);
    assert.equal(paragraphs(live).filter((p) => p.getAttribute('id') === agreed).length, 1);
  }
  // Still the same connection, and it goes on editing.
  assert.deepEqual(stock.closes, []);
  assert.equal(stock.connects, 1);
  paragraphText(byId(stock.doc, open)!).insert(0, 'Then this. ');
  await waitFor(() => reportXml(chair.doc).includes('Then this. Still open.'), 'a later edit');
  await waitFor(
    async () => reportXml(await storedDoc(server, reportId)) === reportXml(live),
    'storage holds what everyone has',
  );
  assert.equal(hashOf(await storedDoc(server, reportId), agreed), hash, 'after a restart');
  stock.doc.clientID = ownId; // its presence is keyed by the id it started with
  stock.destroy();
  chair.destroy();
});

test('a client that asked for Saved messages (the Concord client) rebuilds itself: no repair', async () => {
  const reportId = (await server.createReport('No repair', 'gge-report')).id;
  const live = await serverDoc(server, reportId);
  const agreed = paragraphs(live).at(-1)!.getAttribute('id') as string;
  await appendToParagraph(server, reportId, agreed, 'Agreed words.');
  await setStatus(server, reportId, agreed, 'agreed');
  const original = byId(live, agreed)!;
  const concord = await connectSynced(server, expert, reportId, { saved: true });
  paragraphText(byId(concord.doc, agreed)!).delete(0, 6);
  await waitFor(() => concord.notices.some((n) => n.code === 'resync'), 'the resync notice');
  assert.equal(byId(live, agreed), original, 'the paragraph is the same node: not replaced');
  concord.destroy();
});
