/**
 * An observer's writes go nowhere: the stock y-websocket provider, connected as an observer, edits
 * its copy; the chair's document, every other client and storage (read back after a restart) stay
 * as they were. The observer is told (y-websocket's permission-denied message, which the stock
 * provider prints as "Permission denied to access …"), the refusal is in the group's audit log,
 * and the observer is not disconnected: it keeps receiving everyone else's changes.
 */
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import * as Y from 'yjs';
import {
  auditEvents,
  closeAll,
  connectSynced,
  RawClient,
  type SyncClient,
  storedText,
  syncUpdate,
  type,
  waitFor,
} from '../helpers/auth.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

let server: TestServer;
let reportId: string;
let observer: TestUser;
let expert: TestUser;
const warnings: string[] = [];

before(async () => {
  // The stock provider reports permission-denied with console.warn: keep it, and keep it quiet.
  mock.method(console, 'warn', (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
  });
  server = await startTestServer();
  reportId = (await server.createReport('Observed', 'blank')).id;
  observer = await server.addUser('observer', 'European Union');
  expert = await server.addUser('expert', 'Kenya');
});

after(async () => {
  closeAll();
  await server?.close();
  mock.restoreAll();
});

/** The chair writes `marker` and waits until `clients` and storage have it: a barrier. */
async function barrier(chair: SyncClient, marker: string, clients: Array<SyncClient | RawClient>) {
  type(chair, marker);
  for (const c of clients) await waitFor(() => c.text().includes(marker), `${marker} to arrive`);
  await waitFor(async () => (await storedText(server, reportId)).includes(marker), 'storage');
}

test('the stock provider as observer: its edits reach no one, not storage, and it is told', async () => {
  const chair = await connectSynced(server, server.chair, reportId);
  const other = await connectSynced(server, expert, reportId);
  const obs = await connectSynced(server, observer, reportId);

  type(chair, 'Agreed text. ');
  await waitFor(() => obs.text() === 'Agreed text. ', 'the chair’s text to reach the observer');

  // The observer types (several keystrokes, each building on the one before), then deletes
  // the chair's words.
  for (const ch of 'OBSERVER') type(obs, ch);
  obs.doc.getText('t').delete(0, 6);
  obs.doc.getText('other-root').insert(0, 'OBSERVER elsewhere');
  await waitFor(() => obs.denied.length > 0, 'the permission-denied message');
  assert.equal(obs.denied[0], 'read-only');
  await waitFor(
    () => warnings.some((w) => w.includes('Permission denied') && w.includes(reportId)),
    'y-websocket to print "Permission denied…"',
  );

  await barrier(chair, 'Chair again.', [other, obs]);
  assert.equal(chair.text(), 'Agreed text. Chair again.');
  assert.equal(other.text(), 'Agreed text. Chair again.');
  assert.equal(other.doc.getText('other-root').toString(), '');
  assert.equal(chair.doc.getText('other-root').toString(), '');
  assert.ok(!(await storedText(server, reportId)).includes('OBSERVER'));
  assert.equal(await storedText(server, reportId, 'other-root'), '');
  // Not disconnected: no close, no reconnect, and it still receives the others' changes.
  assert.deepEqual(obs.closes, [], `the observer's socket was closed: ${obs.closes}`);
  assert.equal(obs.connects, 1);
  assert.ok(obs.text().includes('Chair again.'));

  // The server's live document does not have it either.
  const live = await server.app.registry.acquire(reportId);
  assert.equal(live.ydoc().getText('t').toString(), 'Agreed text. Chair again.');

  // The refusal is in the audit log, as the observer's and about this report.
  await waitFor(async () => {
    const events = await auditEvents(server);
    return events.some(
      (e) =>
        e.action === 'sync.write-refused.read-only' &&
        e.actorId === observer.id &&
        e.target === reportId,
    );
  }, 'the audit event');
});

test('storage after a restart has none of the observer’s text', async () => {
  const dataDir = server.dataDir;
  closeAll();
  await server.close();
  server = await startTestServer({ dataDir });
  const fresh = await connectSynced(server, server.chair, reportId);
  assert.equal(fresh.text(), 'Agreed text. Chair again.');
  assert.equal(fresh.doc.getText('other-root').toString(), '');
});

test('a raw observer client receives one permission-denied (MessageType.Auth) per refused update and a read-only notice once', async () => {
  // The observer of the first server: sessions live in storage, so the cookie still works.
  const chair = await connectSynced(server, server.chair, reportId);
  const raw = await RawClient.open(server, observer, reportId, { query: 'saved=424242' });
  await raw.sync();
  const mine = new Y.Doc();
  mine.clientID = 424242;
  Y.applyUpdate(mine, Y.encodeStateAsUpdate(raw.doc));
  const updates: Uint8Array[] = [];
  mine.on('update', (u: Uint8Array) => updates.push(u));
  mine.getText('t').insert(0, 'raw observer 1 ');
  mine.getText('t').insert(0, 'raw observer 2 ');
  for (const u of updates) raw.send(syncUpdate(u));
  await waitFor(() => raw.count((f) => f.type === 'auth') === 2, 'two permission-denied messages');
  const auth = raw.frames.filter((f) => f.type === 'auth');
  assert.deepEqual(
    auth.map((f) => f.type === 'auth' && [f.sub, f.reason]),
    [
      [0, 'read-only'],
      [0, 'read-only'],
    ],
  );
  // (The presence colour comes as a notice too; it is not for the user.)
  const notices = raw.frames.filter(
    (f) => f.type === 'notice' && f.notice.code !== 'presence-color',
  );
  assert.equal(notices.length, 1, 'the read-only notice is sent once per connection');
  assert.equal(notices[0]!.type === 'notice' && notices[0]!.notice.code, 'read-only');

  type(chair, ' Third.');
  await waitFor(
    () => raw.text().endsWith(' Third.'),
    'the chair’s change to reach the raw observer',
  );
  assert.ok(raw.open, 'the observer was disconnected');
  assert.equal(raw.closeEvent, null);
  assert.ok(!chair.text().includes('raw observer'));
  await waitFor(async () => (await storedText(server, reportId)).endsWith(' Third.'), 'storage');
  assert.ok(!(await storedText(server, reportId)).includes('raw observer'));
});

test('an observer who typed nothing is not refused when it reconnects after others deleted text', async () => {
  // A sync reply carries the client's whole delete set, including deletions it only received.
  const reader = await server.addUser('observer', 'African Union');
  const chair = await connectSynced(server, server.chair, reportId);
  const obs = await connectSynced(server, reader, reportId);
  type(chair, ' Struck words.');
  chair.doc.getText('t').delete(chair.text().length - ' Struck words.'.length, 7);
  await waitFor(() => obs.text() === chair.text(), 'the deletion to reach the observer');
  obs.provider.disconnect();
  obs.provider.connect();
  await waitFor(() => obs.provider.synced, 'the observer to sync again');
  await barrier(chair, ' After.', [obs]);
  assert.deepEqual(obs.denied, [], 'a reader who typed nothing was told its changes were refused');
  const events = await auditEvents(server);
  assert.ok(
    !events.some((e) => e.actorId === reader.id && e.action.startsWith('sync.write-refused')),
  );
});
