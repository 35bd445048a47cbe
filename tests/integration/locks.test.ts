/**
 * Locked paragraphs on the sync channel (issue #5, "Agreed text is locked"): an expert's edit of
 * a locked paragraph — text, formatting, an attribute, deleting it, merging it with a neighbour —
 * is reverted by the server for the sender, for everyone else and in storage (also after a
 * restart); the sender is told (Notice 101 and y-websocket's permission-denied), the audit log has
 * it, and a second client never observes the forbidden text, not even for one transaction: the
 * update and its undo are relayed as one. A new paragraph between two locked ones survives.
 * Locks read by the registry when a report loads hold from the first connection; with an empty
 * set edits are kept again, and a report without locks does no extra work per update.
 */
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import * as Y from 'yjs';
import type { RegistryOptions } from '../../server/sync/registry.js';
import { LOCKED_EDIT_NOTICE } from '../../shared/consensus.js';
import {
  auditEvents,
  closeAll,
  connectSynced,
  RawClient,
  type SyncClient,
  storedDoc,
  syncUpdate,
} from '../helpers/auth.js';
import {
  chapters,
  newParagraph,
  paragraphs,
  paragraphText,
  reportFragment,
  reportXml,
} from '../helpers/clients.js';
import { startTestServer, type TestServer, type TestUser, waitFor } from '../helpers/server.js';

const OPEN_BEFORE = 'p-open-before';
const LOCKED_ONE = 'p-locked-one';
const LOCKED_TWO = 'p-locked-two';
const OPEN_AFTER = 'p-open-after';
const LOCKED = [LOCKED_ONE, LOCKED_TWO] as const;

let server: TestServer;
let reportId: string;
let expert: TestUser;
let colleague: TestUser;
/** The locked paragraphs as agreed (XML: text, formatting and attributes). */
const agreed = new Map<string, string>();

function paragraph(doc: Y.Doc, id: string): Y.XmlElement | undefined {
  return paragraphs(doc).find((p) => p.getAttribute('id') === id);
}

/** The paragraph as XML (attributes sorted), or '(missing)'. */
function xmlOf(doc: Y.Doc, id: string): string {
  return paragraph(doc, id)?.toString() ?? '(missing)';
}

function textOf(doc: Y.Doc, id: string): Y.XmlText {
  const p = paragraph(doc, id);
  if (!p) throw new Error(`no paragraph ${id}`);
  return paragraphText(p);
}

function lockedIntact(doc: Y.Doc): boolean {
  return LOCKED.every((id) => xmlOf(doc, id) === agreed.get(id));
}

/** Index of paragraph `id` among its chapter's children. */
function indexIn(chapter: Y.XmlElement, id: string): number {
  return chapter
    .toArray()
    .findIndex((n) => n instanceof Y.XmlElement && n.getAttribute('id') === id);
}

async function liveDoc(): Promise<Y.Doc> {
  return (await server.app.registry.acquire(reportId)).ydoc();
}

/** The chair types `marker` into the open paragraph; resolves once every client has it. */
async function barrier(chair: SyncClient, marker: string, clients: SyncClient[]): Promise<void> {
  const text = textOf(chair.doc, OPEN_AFTER);
  text.insert(text.length, marker);
  for (const c of clients) {
    await waitFor(() => paragraph(c.doc, OPEN_AFTER)?.toString().includes(marker) ?? false, marker);
  }
}

let chair: SyncClient;
let editor: SyncClient;
let watcher: SyncClient;
/** Every state of each locked paragraph the watcher's document went through. */
const observed = new Map<string, Set<string>>();

before(async () => {
  // The stock provider prints each permission-denied message with console.warn: keep it quiet.
  mock.method(console, 'warn', () => {});
  server = await startTestServer();
  reportId = (await server.createReport('Locked text', 'blank')).id;
  expert = await server.addUser('expert', 'Brazil');
  colleague = await server.addUser('expert', 'Kenya');
  chair = await connectSynced(server, server.chair, reportId);
  chair.doc.transact(() => {
    const chapter = chapters(chair.doc)[0]!;
    chapter.insert(chapter.length, [
      newParagraph(OPEN_BEFORE, 'An open paragraph before.'),
      newParagraph(LOCKED_ONE, 'The first agreed paragraph.'),
      newParagraph(LOCKED_TWO, 'The second agreed paragraph.', 1),
      newParagraph(OPEN_AFTER, 'An open paragraph after.'),
    ]);
    textOf(chair.doc, LOCKED_ONE).format(4, 5, { strong: {} });
  });
  for (const id of LOCKED) agreed.set(id, xmlOf(chair.doc, id));
  await waitFor(async () => lockedIntact(await liveDoc()), 'the paragraphs to reach the server');
  server.app.registry.setLocks(reportId, new Set(LOCKED));

  editor = await connectSynced(server, expert, reportId, { saved: true });
  watcher = await connectSynced(server, colleague, reportId);
  assert.ok(lockedIntact(editor.doc) && lockedIntact(watcher.doc));
  for (const id of LOCKED) observed.set(id, new Set([xmlOf(watcher.doc, id)]));
  watcher.doc.on('afterTransaction', () => {
    for (const id of LOCKED) observed.get(id)!.add(xmlOf(watcher.doc, id));
  });
});

after(async () => {
  closeAll();
  await server?.close();
  mock.restoreAll();
});

/**
 * The expert makes `change` (one transaction, as the editor would); the server must undo it:
 * the expert's own document, the watcher's and the server's end with the agreed paragraphs.
 */
async function refused(
  what: string,
  change: (doc: Y.Doc) => void,
  oneTransaction = true,
): Promise<void> {
  if (oneTransaction) editor.doc.transact(() => change(editor.doc));
  else change(editor.doc);
  assert.ok(!lockedIntact(editor.doc), `${what}: the edit did not change a locked paragraph`);
  await waitFor(() => lockedIntact(editor.doc), `${what}: the revert to reach the sender`);
  await barrier(chair, ` <${what}>`, [editor, watcher]);
  assert.ok(lockedIntact(watcher.doc), `${what}: the watcher holds the agreed text`);
  assert.ok(lockedIntact(await liveDoc()), `${what}: the server holds the agreed text`);
  assert.ok(lockedIntact(chair.doc), `${what}: the chair holds the agreed text`);
}

test('an expert’s edits inside locked paragraphs are undone for the sender and for everyone', async () => {
  await refused('insert text', (doc) => textOf(doc, LOCKED_ONE).insert(4, 'NOT AGREED '));
  await refused('delete text', (doc) => textOf(doc, LOCKED_ONE).delete(0, 10));
  await refused('bold', (doc) => textOf(doc, LOCKED_TWO).format(0, 10, { strong: {} }));
  await refused('unbold', (doc) => textOf(doc, LOCKED_ONE).format(0, 12, { strong: null }));
  await refused('indent', (doc) => paragraph(doc, LOCKED_ONE)!.setAttribute('level', '2'));
  await refused('change the id', (doc) => paragraph(doc, LOCKED_TWO)!.setAttribute('id', 'p-x'));
  await refused('delete the paragraph', (doc) => {
    const chapter = chapters(doc)[0]!;
    chapter.delete(indexIn(chapter, LOCKED_TWO), 1);
  });
  await refused('join the next paragraph into it', (doc) => {
    // Delete at the end of the locked paragraph: the next one's text moves into it.
    const chapter = chapters(doc)[0]!;
    const next = textOf(doc, OPEN_AFTER).toString();
    const text = textOf(doc, LOCKED_TWO);
    text.insert(text.length, next);
    chapter.delete(indexIn(chapter, OPEN_AFTER), 1);
  });
  await refused('join it into the paragraph before', (doc) => {
    // Backspace at the start of the locked paragraph: its text moves into the open one.
    const chapter = chapters(doc)[0]!;
    const moved = textOf(doc, LOCKED_ONE).toString();
    const text = textOf(doc, OPEN_BEFORE);
    text.insert(text.length, moved);
    chapter.delete(indexIn(chapter, LOCKED_ONE), 1);
  });
  await refused('delete the chapter', (doc) => {
    const fragment = reportFragment(doc);
    fragment.delete(fragment.toArray().indexOf(chapters(doc)[0]!), 1);
  });
  // Keystrokes that build on each other, all sent before the first undo comes back.
  let sent = 0;
  const count = () => sent++;
  editor.doc.on('update', count);
  await refused(
    'type a word',
    (doc) => {
      for (const ch of 'word') {
        const text = textOf(doc, LOCKED_ONE);
        text.insert(text.length, ch);
      }
    },
    false,
  );
  editor.doc.off('update', count);
  assert.ok(sent >= 4, `four updates, one per keystroke (${sent})`);
  // An update that also changes an open paragraph is undone as a whole.
  await refused('edit an open and a locked paragraph at once', (doc) => {
    textOf(doc, OPEN_BEFORE).insert(0, 'ALSO REVERTED ');
    textOf(doc, LOCKED_TWO).insert(0, 'NOT AGREED ');
  });
  assert.ok(!xmlOf(watcher.doc, OPEN_BEFORE).includes('ALSO REVERTED'));
  assert.ok(paragraph(editor.doc, OPEN_AFTER), 'the joined paragraph is back');
});

test('the watcher never observed a locked paragraph other than as agreed', () => {
  for (const id of LOCKED) {
    assert.deepEqual([...observed.get(id)!], [agreed.get(id)], `states of ${id}`);
  }
});

test('the sender is told, once per connection, and every refusal is in the audit log', async () => {
  assert.deepEqual(
    editor.notices.filter((n) => n.code === 'locked'),
    [{ code: 'locked', message: LOCKED_EDIT_NOTICE }],
  );
  assert.ok(editor.denied.includes('locked'), 'y-websocket’s permission-denied message');
  assert.deepEqual(editor.closes, [], 'the sender stays connected');
  assert.equal(editor.connects, 1);
  assert.equal(watcher.notices.length + watcher.denied.length, 0);
  await waitFor(async () => {
    const rows = (await auditEvents(server)).filter(
      (e) => e.action === 'sync.write-refused.locked' && e.actorId === expert.id,
    );
    return rows.length >= 10 && rows.every((e) => e.target === reportId);
  }, 'the audit rows');
  const touched = (await auditEvents(server))
    .filter((e) => e.action === 'sync.write-refused.locked')
    .map((e) => JSON.stringify(e.detail?.['paragraphs']));
  assert.ok(touched.includes(JSON.stringify([LOCKED_ONE])), touched.join(' '));
  assert.ok(touched.includes(JSON.stringify([LOCKED_TWO])), touched.join(' '));
});

test('a raw client: the compensation reaches it, and the others get the edit and its undo as one update', async () => {
  const raw = await RawClient.open(server, colleague, reportId, { query: 'saved=515151' });
  await raw.sync();
  const other = await RawClient.open(server, server.chair, reportId);
  await other.sync();
  const mine = new Y.Doc();
  mine.clientID = 515151;
  Y.applyUpdate(mine, Y.encodeStateAsUpdate(raw.doc));
  const updates: Uint8Array[] = [];
  mine.on('update', (u: Uint8Array) => updates.push(u));
  textOf(mine, LOCKED_TWO).insert(0, 'RAW ');
  assert.equal(updates.length, 1);
  const seen = other.frames.length;
  const replay = new Y.Doc();
  Y.applyUpdate(replay, Y.encodeStateAsUpdate(other.doc));
  const mark = raw.frames.length;
  raw.send(syncUpdate(updates[0]!));

  await waitFor(() => raw.count((f) => f.type === 'notice') === 1, 'the notice');
  const notice = raw.frames.find((f) => f.type === 'notice');
  assert.deepEqual(notice?.type === 'notice' && notice.notice, {
    code: 'locked',
    message: LOCKED_EDIT_NOTICE,
  });
  await waitFor(
    () => raw.frames.slice(mark).some((f) => f.type === 'sync' && f.sub === 2),
    'the compensation',
  );
  for (const f of raw.frames.slice(mark)) if (f.type === 'sync') Y.applyUpdate(mine, f.payload);
  assert.ok(lockedIntact(mine), 'the sender’s document is restored');

  await waitFor(() => other.frames.length > seen, 'the relay');
  const relayed = other.frames.slice(seen).filter((f) => f.type === 'sync');
  assert.equal(relayed.length, 1, 'one update carries the edit and its undo');
  // Applied frame by frame, as a client would: the forbidden text is never there.
  const states = new Set<string>();
  replay.on('afterTransaction', () => states.add(xmlOf(replay, LOCKED_TWO)));
  for (const f of relayed) if (f.type === 'sync') Y.applyUpdate(replay, f.payload);
  assert.deepEqual([...states], [agreed.get(LOCKED_TWO)]);
  assert.ok(lockedIntact(replay));
  assert.ok(relayed.some((f) => f.type === 'sync' && f.payload.length > 0));
  assert.ok(!reportXml(replay).includes('RAW'));
  assert.equal(reportXml(replay), reportXml(other.doc));
  raw.close();
  other.close();
});

test('a new paragraph between two locked ones survives, everywhere', async () => {
  const deniedBefore = editor.denied.length;
  editor.doc.transact(() => {
    const chapter = chapters(editor.doc)[0]!;
    chapter.insert(indexIn(chapter, LOCKED_TWO), [newParagraph('p-new', 'A new paragraph.')]);
  });
  await barrier(chair, ' <after the insertion>', [editor, watcher]);
  for (const c of [editor, watcher, chair]) {
    const ids = paragraphs(c.doc).map((p) => p.getAttribute('id'));
    assert.deepEqual(ids.slice(ids.indexOf(LOCKED_ONE), ids.indexOf(LOCKED_TWO) + 1), [
      LOCKED_ONE,
      'p-new',
      LOCKED_TWO,
    ]);
    assert.equal(xmlOf(c.doc, 'p-new'), xmlOf(editor.doc, 'p-new'));
    assert.ok(lockedIntact(c.doc));
  }
  assert.equal(editor.denied.length, deniedBefore, 'nothing was refused');
});

test('storage holds the agreed text, also after a restart', async () => {
  await waitFor(
    async () => reportXml(await storedDoc(server, reportId)) === reportXml(await liveDoc()),
    'storage to catch up',
  );
  const stored = await storedDoc(server, reportId);
  assert.ok(lockedIntact(stored));
  assert.ok(paragraph(stored, 'p-new'));
  assert.ok(!reportXml(stored).includes('NOT AGREED'));

  closeAll();
  const dataDir = server.dataDir;
  await server.close();
  server = await startTestServer({ dataDir });
  const fresh = await connectSynced(server, server.chair, reportId);
  assert.ok(lockedIntact(fresh.doc));
  assert.ok(paragraph(fresh.doc, 'p-new'));
  assert.ok(paragraph(fresh.doc, OPEN_AFTER));
  assert.ok(paragraph(fresh.doc, OPEN_BEFORE));
  assert.ok(!reportXml(fresh.doc).includes('NOT AGREED'));
  fresh.destroy();
});

test('locks read when the report loads hold from the first connection; an empty set lifts them', async () => {
  // Restart again so that nothing is loaded, with the registry reading the locks on load (as
  // server/app.ts wires it to the consensus store).
  const dataDir = server.dataDir;
  await server.close();
  server = await startTestServer({ dataDir });
  const reads: string[] = [];
  const options = (server.app.registry as unknown as { options: RegistryOptions }).options;
  options.locks = async (id) => {
    reads.push(id);
    return new Set(LOCKED);
  };
  assert.equal(server.app.registry.openCount, 0);
  const first = await connectSynced(server, expert, reportId, { saved: true });
  const second = await connectSynced(server, colleague, reportId);
  assert.deepEqual(reads, [reportId]);
  agreed.clear();
  for (const id of LOCKED) agreed.set(id, xmlOf(first.doc, id));

  textOf(first.doc, LOCKED_ONE).insert(0, 'FIRST CONNECTION ');
  await waitFor(() => lockedIntact(first.doc), 'the revert');
  await waitFor(() => first.notices.some((n) => n.code === 'locked'), 'the notice');
  assert.ok(lockedIntact(second.doc));

  server.app.registry.setLocks(reportId, new Set());
  textOf(first.doc, LOCKED_ONE).insert(0, 'Reopened: ');
  await waitFor(() => xmlOf(second.doc, LOCKED_ONE).includes('Reopened: '), 'the kept edit');
  await waitFor(
    async () => xmlOf(await storedDoc(server, reportId), LOCKED_ONE).includes('Reopened: '),
    'the kept edit in storage',
  );
  assert.ok(xmlOf(first.doc, LOCKED_ONE).includes('Reopened: '));
  assert.equal(first.notices.filter((n) => n.code === 'locked').length, 1);
});

test('setLocks on a report that is not loaded does nothing; without locks no guard exists', async () => {
  const other = (await server.createReport('Never locked', 'blank')).id;
  server.app.registry.setLocks(other, new Set(['anything']));
  const options = (server.app.registry as unknown as { options: RegistryOptions }).options;
  delete options.locks;
  const client = await connectSynced(server, expert, other);
  const live = await server.app.registry.acquire(other);
  const doc = live.ydoc();
  const listeners = () =>
    (doc as unknown as { _observers: Map<string, Set<unknown>> })._observers.get('afterTransaction')
      ?.size ?? 0;
  const baseline = listeners();
  const text = textOf(client.doc, paragraphs(client.doc)[0]!.getAttribute('id') as string);
  text.insert(0, 'Kept. ');
  await waitFor(() => reportXml(doc).includes('Kept. '), 'the edit');
  assert.equal(live.guarded, false, 'no lock guard (no UndoManager) without locks');
  assert.equal(listeners(), baseline, 'no afterTransaction listener added');

  // Locked: a guard (one UndoManager listener) appears on the first update…
  const id = paragraphs(doc)[0]!.getAttribute('id') as string;
  server.app.registry.setLocks(other, new Set([id]));
  assert.equal(live.guarded, false, 'made lazily, on the first client update');
  text.insert(0, 'Refused. ');
  await waitFor(() => !text.toString().includes('Refused. '), 'the revert');
  assert.equal(live.guarded, true);
  assert.equal(listeners(), baseline + 1);
  // …and goes with the last lock.
  server.app.registry.setLocks(other, new Set());
  assert.equal(live.guarded, false);
  assert.equal(listeners(), baseline);
  client.destroy();
});
