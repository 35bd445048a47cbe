/**
 * Locked paragraphs on the sync channel (issues #5 and #15, "Agreed text is locked"): an expert's
 * edit of a locked paragraph — text, formatting, an attribute, deleting it, merging it with a
 * neighbour — is refused by the server before it is applied (server/sync/guard.ts), for everyone
 * and in storage (also after a restart). What was inserted into locked content is retracted from
 * the sender's copy; a refused deletion cannot be retracted (Yjs deletions are final), so the
 * sender is told to resync and rebuilds its copy from the server (here: a fresh client, as the
 * Concord client does). The sender is told in words (Notice 101 and y-websocket's
 * permission-denied), the audit log has it, a second client never observes the forbidden text,
 * and the unlocked parts of the same update are kept. A new paragraph between two locked ones
 * survives. Locks read by the registry when a report loads hold from the first connection; with
 * an empty set edits are kept again.
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
/** Only the chair writes here (the test's barrier). */
const BARRIER = 'p-barrier';
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
  const text = textOf(chair.doc, BARRIER);
  text.insert(text.length, marker);
  for (const c of clients) {
    await waitFor(() => paragraph(c.doc, BARRIER)?.toString().includes(marker) ?? false, marker);
  }
}

let chair: SyncClient;
let editor: SyncClient;
/** Every connection the editor made (a new one after each resync). */
const sessions: SyncClient[] = [];
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
      newParagraph(BARRIER, 'The chair’s barrier.'),
    ]);
    textOf(chair.doc, LOCKED_ONE).format(4, 5, { strong: {} });
  });
  for (const id of LOCKED) agreed.set(id, xmlOf(chair.doc, id));
  await waitFor(async () => lockedIntact(await liveDoc()), 'the paragraphs to reach the server');
  server.app.registry.setLocks(reportId, new Set(LOCKED));

  editor = await connectSynced(server, expert, reportId, { saved: true });
  sessions.push(editor);
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

const resynced = (c: SyncClient) => c.notices.some((n) => n.code === 'resync');

/**
 * The expert makes `change` (one transaction, as the editor would); the server must refuse it:
 * the expert's own document (retracted, or rebuilt after a resync notice when the change deleted
 * locked content: `resync`), the watcher's and the server's end with the agreed paragraphs.
 */
async function refused(
  what: string,
  change: (doc: Y.Doc) => void,
  { oneTransaction = true, resync = false } = {},
): Promise<void> {
  if (oneTransaction) editor.doc.transact(() => change(editor.doc));
  else change(editor.doc);
  assert.ok(!lockedIntact(editor.doc), `${what}: the edit did not change a locked paragraph`);
  await waitFor(
    () => lockedIntact(editor.doc) || resynced(editor),
    `${what}: the retraction or the resync notice to reach the sender`,
  );
  assert.equal(resynced(editor), resync, `${what}: resync notice`);
  if (resync) {
    // What the Concord client does: a fresh copy from the server.
    editor.destroy();
    editor = await connectSynced(server, expert, reportId, { saved: true });
    sessions.push(editor);
  }
  assert.ok(lockedIntact(editor.doc), `${what}: the sender holds the agreed text`);
  await barrier(chair, ` <${what}>`, [editor, watcher]);
  assert.ok(lockedIntact(watcher.doc), `${what}: the watcher holds the agreed text`);
  assert.ok(lockedIntact(await liveDoc()), `${what}: the server holds the agreed text`);
  assert.ok(lockedIntact(chair.doc), `${what}: the chair holds the agreed text`);
}

test('an expert’s edits inside locked paragraphs are undone for the sender and for everyone', async () => {
  await refused('insert text', (doc) => textOf(doc, LOCKED_ONE).insert(4, 'NOT AGREED '));
  await refused('delete text', (doc) => textOf(doc, LOCKED_ONE).delete(0, 10), { resync: true });
  await refused('bold', (doc) => textOf(doc, LOCKED_TWO).format(0, 10, { strong: {} }));
  // Removing a mark deletes its format items: a resync.
  await refused('unbold', (doc) => textOf(doc, LOCKED_ONE).format(0, 12, { strong: null }), {
    resync: true,
  });
  // Setting an attribute deletes its old value: a resync.
  await refused('indent', (doc) => paragraph(doc, LOCKED_ONE)!.setAttribute('level', '2'), {
    resync: true,
  });
  await refused('change the id', (doc) => paragraph(doc, LOCKED_TWO)!.setAttribute('id', 'p-x'), {
    resync: true,
  });
  await refused(
    'delete the paragraph',
    (doc) => {
      const chapter = chapters(doc)[0]!;
      chapter.delete(indexIn(chapter, LOCKED_TWO), 1);
    },
    { resync: true },
  );
  await refused(
    'join it into the paragraph before',
    (doc) => {
      // Backspace at the start of the locked paragraph: its text moves into the open one.
      const chapter = chapters(doc)[0]!;
      const moved = textOf(doc, LOCKED_ONE).toString();
      const text = textOf(doc, OPEN_BEFORE);
      text.insert(text.length, moved);
      chapter.delete(indexIn(chapter, LOCKED_ONE), 1);
    },
    { resync: true },
  );
  await refused(
    'delete the chapter',
    (doc) => {
      const fragment = reportFragment(doc);
      fragment.delete(fragment.toArray().indexOf(chapters(doc)[0]!), 1);
    },
    { resync: true },
  );
  // The chapter's deletion was dropped with everything in it, open paragraphs included.
  assert.ok(paragraph(editor.doc, OPEN_AFTER) && paragraph(editor.doc, OPEN_BEFORE));
  // Delete at the end of the locked paragraph: the next one's text moves into it. The text is
  // refused; the open paragraph's deletion is not locked and is kept (the editor never sends
  // this: it filters edits of locked text).
  await refused('join the next paragraph into it', (doc) => {
    const chapter = chapters(doc)[0]!;
    const next = textOf(doc, OPEN_AFTER).toString();
    const text = textOf(doc, LOCKED_TWO);
    text.insert(text.length, next);
    chapter.delete(indexIn(chapter, OPEN_AFTER), 1);
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
    { oneTransaction: false },
  );
  editor.doc.off('update', count);
  assert.ok(sent >= 4, `four updates, one per keystroke (${sent})`);
  // An update that also changes an open paragraph keeps that part.
  await refused('edit an open and a locked paragraph at once', (doc) => {
    textOf(doc, OPEN_BEFORE).insert(0, 'ALSO KEPT ');
    textOf(doc, LOCKED_TWO).insert(0, 'NOT AGREED ');
  });
  for (const c of [watcher, editor, chair])
    await waitFor(() => xmlOf(c.doc, OPEN_BEFORE).includes('ALSO KEPT'), 'the open part, kept');
});

test('the watcher never observed a locked paragraph other than as agreed', () => {
  for (const id of LOCKED) {
    assert.deepEqual([...observed.get(id)!], [agreed.get(id)], `states of ${id}`);
  }
});

test('the sender is told, once per connection, and every refusal is in the audit log', async () => {
  for (const session of sessions.slice(0, -1)) {
    assert.deepEqual(
      session.notices.filter((n) => n.code === 'locked'),
      [{ code: 'locked', message: LOCKED_EDIT_NOTICE }],
    );
    assert.ok(session.denied.includes('locked'), 'y-websocket’s permission-denied message');
    assert.deepEqual(session.closes, [], 'the sender is never disconnected');
    assert.equal(session.connects, 1);
  }
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

test('README "the refused bytes are never stored or relayed": a raw client gets the retraction, the others never the refused text', async () => {
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

  // (Every Concord client also gets its presence colour as a notice.)
  const isLocked = (f: (typeof raw.frames)[number]) =>
    f.type === 'notice' && f.notice.code === 'locked';
  await waitFor(() => raw.count(isLocked) === 1, 'the notice');
  const notice = raw.frames.find(isLocked);
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
  assert.ok(paragraph(fresh.doc, BARRIER));
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

test('setLocks on a report that is not loaded does nothing; the guard leaves nothing in the document', async () => {
  const other = (await server.createReport('Never locked', 'blank')).id;
  server.app.registry.setLocks(other, new Set(['anything']));
  const options = (server.app.registry as unknown as { options: RegistryOptions }).options;
  delete options.locks;
  const client = await connectSynced(server, expert, other);
  const live = await server.app.registry.acquire(other);
  assert.deepEqual([...live.lockedIds], [], 'the set given before the load was not kept');
  const doc = live.ydoc();
  const listeners = () =>
    (doc as unknown as { _observers: Map<string, Set<unknown>> })._observers.get('afterTransaction')
      ?.size ?? 0;
  const baseline = listeners();
  const text = textOf(client.doc, paragraphs(client.doc)[0]!.getAttribute('id') as string);
  text.insert(0, 'Kept. ');
  await waitFor(() => reportXml(doc).includes('Kept. '), 'the edit');

  // Locked: refused before it is applied, with no listener on the document (no UndoManager)…
  const id = paragraphs(doc)[0]!.getAttribute('id') as string;
  server.app.registry.setLocks(other, new Set([id]));
  text.insert(0, 'Refused. ');
  await waitFor(() => !text.toString().includes('Refused. '), 'the retraction');
  assert.ok(!reportXml(doc).includes('Refused. '), 'never in the server’s document');
  assert.equal(listeners(), baseline);
  // …and kept again once the last lock goes.
  server.app.registry.setLocks(other, new Set());
  text.insert(0, 'Again. ');
  await waitFor(() => reportXml(doc).includes('Again. '), 'the kept edit');
  client.destroy();
});
