/**
 * Group commits of document updates (SqliteStorage.flush), on the main connection and in the
 * writer thread (server/storage/sqlite-writer.ts): answered in order, durable across a fresh
 * connection, a clear StorageError (with the next append working) when a commit fails or the
 * thread dies, and 'auto' moving batches to the thread while commits are slow and back after.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import * as Y from 'yjs';
import { SQLITE_FILE, SqliteStorage } from '../../server/storage/sqlite.js';
import type { SqliteDb } from '../../server/storage/sqlite-db.js';
import { StorageError } from '../../server/storage/types.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concord-writer-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The next seq of each report (the owner numbers its appends; createReport took 1). */
const seqs = new Map<string, number>();
function nextSeq(reportId: string): number {
  const seq = (seqs.get(reportId) ?? 1) + 1;
  seqs.set(reportId, seq);
  return seq;
}

/** Creates a report; returns a doc holding its stored state, to make edits on. */
async function newReport(storage: SqliteStorage, id: string): Promise<Y.Doc> {
  const now = new Date().toISOString();
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'start ');
  await storage.createReport(
    { id, groupId: null, title: id, template: 'blank', createdAt: now, updatedAt: now },
    Y.encodeStateAsUpdate(doc),
  );
  seqs.set(id, 1);
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

/** An update that inserts `text` at the end of a doc rebuilt from `base`. */
function edit(base: Y.Doc, text: string): Uint8Array {
  let out: Uint8Array | null = null;
  const onUpdate = (u: Uint8Array) => {
    out = u;
  };
  base.on('update', onUpdate);
  base.getText('t').insert(base.getText('t').length, text);
  base.off('update', onUpdate);
  assert.ok(out);
  return out;
}

for (const commits of ['inline', 'thread'] as const)
  test(`${commits}: appends from many reports in one burst: answered in call order, durable on reopen`, async (t) => {
    const dir = tempDir(t);
    const storage = new SqliteStorage({ dataDir: dir, synchronous: 'FULL', commits });
    const ids = ['rpt_writer_a', 'rpt_writer_b', 'rpt_writer_c'];
    const docs: Y.Doc[] = [];
    for (const id of ids) docs.push(await newReport(storage, id));
    const updates: Array<{ id: string; update: Uint8Array }> = [];
    for (let i = 0; i < 300; i++) {
      const k = i % ids.length;
      // A view into a larger buffer, as socket frames are: only its own bytes may be stored.
      const u = edit(docs[k]!, `${i} `);
      const padded = new Uint8Array(u.length + 64);
      padded.set(u, 32);
      updates.push({ id: ids[k]!, update: padded.subarray(32, 32 + u.length) });
    }
    const order: number[] = [];
    const answered = await Promise.all(
      updates.map((u, i) =>
        storage
          .appendUpdate(u.id, nextSeq(u.id), u.update, {
            userId: `usr_${i % 2}`,
            clientIds: [1000 + (i % 3)],
          })
          .then((a) => {
            order.push(i);
            return a;
          }),
      ),
    );
    assert.deepEqual(order, [...updates.keys()], 'answered in call order');
    for (let i = ids.length; i < answered.length; i++)
      assert.equal(answered[i]!.seq, answered[i - ids.length]!.seq + 1, 'each report its own seqs');
    await storage.close();

    const reopened = new SqliteStorage({ dataDir: dir, synchronous: 'FULL' });
    t.after(() => reopened.close());
    for (let k = 0; k < ids.length; k++) {
      const stored = await reopened.loadDocument(ids[k]!);
      assert.ok(stored);
      assert.equal(stored.updates.length, 1 + 100, 'the initial update and every append');
      const doc = new Y.Doc();
      for (const u of stored.updates) Y.applyUpdate(doc, u);
      assert.equal(doc.getText('t').toString(), docs[k]!.getText('t').toString());
      assert.equal(stored.clientBindings.get(1000 + (k % 3)) !== undefined, true);
    }
  });

for (const commits of ['inline', 'thread'] as const)
  test(`${commits}: a failed commit is a StorageError for that batch only; the next append is kept`, async (t) => {
    const storage = new SqliteStorage({ dataDir: tempDir(t), synchronous: 'FULL', commits });
    t.after(() => storage.close());
    const doc = await newReport(storage, 'rpt_writer_ok');
    // No such report: the foreign key refuses the whole transaction.
    await assert.rejects(
      storage.appendUpdate('rpt_writer_missing', 2, edit(doc, 'lost')),
      (err: unknown) =>
        err instanceof StorageError && /append of 1 update\(s\) failed/.test(err.message),
    );
    const { seq } = await storage.appendUpdate(
      'rpt_writer_ok',
      nextSeq('rpt_writer_ok'),
      edit(doc, 'kept'),
    );
    assert.equal(seq, 2);
    const stored = await storage.loadDocument('rpt_writer_ok');
    assert.equal(stored?.updates.length, 2);
  });

test('the writer thread dies mid-batch: its appends are refused, a new thread takes the next', async (t) => {
  const storage = new SqliteStorage({
    dataDir: tempDir(t),
    synchronous: 'FULL',
    commits: 'thread',
  });
  t.after(() => storage.close());
  const doc = await newReport(storage, 'rpt_writer_dies');
  await storage.appendUpdate('rpt_writer_dies', nextSeq('rpt_writer_dies'), edit(doc, 'first'));
  // Fault injection: there is no public way to kill the thread, so reach for it.
  const writer = Reflect.get(storage, 'writer') as Worker;
  assert.ok(writer, 'the writer thread runs after the first append');
  const pending = storage.appendUpdate(
    'rpt_writer_dies',
    nextSeq('rpt_writer_dies'),
    edit(doc, 'in flight'),
  );
  // The batch is posted on the next turn; kill the thread as it arrives.
  const exited = new Promise<number>((resolve) => setImmediate(() => resolve(writer.terminate())));
  const outcome = await pending.then(
    () => 'kept',
    (err: unknown) => (err instanceof StorageError ? 'refused' : `other: ${String(err)}`),
  );
  // Either the commit won the race and was answered, or the thread died first and said so:
  // never a hang, never a silent loss.
  assert.ok(outcome === 'kept' || outcome === 'refused', outcome);
  // When the commit won, the thread may still be on its way out: the next append is for the
  // thread that replaces it (one posted to a dying thread is refused, which is right, but is
  // not what this test is about). Its answer may have arrived after terminate(): the storage
  // then unref'd the idle thread and undid terminate's own ref, and with nothing else open this
  // process would end before the thread's exit is reported. Hold the loop until it is.
  writer.ref();
  await exited;
  const { seq } = await storage.appendUpdate(
    'rpt_writer_dies',
    nextSeq('rpt_writer_dies'),
    edit(doc, 'after'),
  );
  assert.ok(seq > 2);
  assert.notEqual(Reflect.get(storage, 'writer'), writer, 'a new thread');
});

/** Another connection holds the write lock for `ms`; resolves once it holds it. */
async function holdWriteLock(file: string, reportId: string, ms: number): Promise<Worker> {
  const require = createRequire(import.meta.url);
  const holder = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require(workerData.module);
     const db = new Database(workerData.file);
     db.exec('BEGIN IMMEDIATE');
     db.prepare("INSERT INTO report_updates (report_id, seq, data) VALUES (?, 1000000, x'0000')").run(workerData.reportId);
     parentPort.postMessage('holding');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
     db.exec('COMMIT');
     db.close();`,
    { eval: true, workerData: { file, module: require.resolve('better-sqlite3'), reportId, ms } },
  );
  await new Promise((resolve) => holder.once('message', resolve));
  return holder;
}

test('auto: batches go to the thread after a slow commit, and come back once commits are quick', async (t) => {
  const dir = tempDir(t);
  // A generous bound, so that a busy test machine's ordinary commits stay under it.
  const storage = new SqliteStorage({
    dataDir: dir,
    synchronous: 'FULL',
    inlineCommitMaxMs: 50,
    quietMs: 0,
  });
  t.after(() => storage.close());
  const doc = await newReport(storage, 'rpt_writer_auto');
  await storage.appendUpdate('rpt_writer_auto', nextSeq('rpt_writer_auto'), edit(doc, 'quick '));
  assert.equal(storage.commitsInline, true, 'quick commits stay on the main connection');
  // The first inline commit starts the thread in the background, ready before a batch needs it.
  await new Promise((resolve) => setImmediate(resolve));
  const warm = Reflect.get(storage, 'writer') as Worker | null;
  assert.ok(warm, 'the writer thread is started after the first commit');
  await new Promise((resolve) => warm.once('online', resolve));
  assert.equal(Reflect.get(storage, 'batchSeq'), 0, 'while no batch has gone to it');

  // A slow commit, for real: another connection holds the write lock for 600 ms, so the inline
  // commit waits for it (busy timeout), as it would for a slow fsync.
  const holder = await holdWriteLock(path.join(dir, SQLITE_FILE), 'rpt_writer_auto', 600);
  await storage.appendUpdate('rpt_writer_auto', nextSeq('rpt_writer_auto'), edit(doc, 'slow '));
  await new Promise((resolve) => holder.once('exit', resolve));
  assert.equal(
    storage.commitsInline,
    false,
    'after a slow commit the next batches go to the thread',
  );

  await storage.appendUpdate('rpt_writer_auto', nextSeq('rpt_writer_auto'), edit(doc, 'threaded '));
  assert.ok(Reflect.get(storage, 'writer'), 'the writer thread committed the next batch');
  let appends = 0;
  while (!storage.commitsInline && appends < 50) {
    await storage.appendUpdate(
      'rpt_writer_auto',
      nextSeq('rpt_writer_auto'),
      edit(doc, `${appends} `),
    );
    appends++;
  }
  assert.equal(storage.commitsInline, true, `still in the thread after ${appends} quick commits`);
  const stored = await storage.loadDocument('rpt_writer_auto');
  const copy = new Y.Doc();
  for (const u of stored!.updates) Y.applyUpdate(copy, u);
  assert.equal(copy.getText('t').toString(), doc.getText('t').toString(), 'every append stored');
});

test('auto: a batch right after a commit goes to the thread; after a quiet spell, inline again', async (t) => {
  const quietMs = 300;
  const storage = new SqliteStorage({
    dataDir: tempDir(t),
    synchronous: 'FULL',
    inlineCommitMaxMs: 1000,
    quietMs,
  });
  t.after(() => storage.close());
  const doc = await newReport(storage, 'rpt_writer_quiet');
  const threadBatches = () => Reflect.get(storage, 'batchSeq') as number;
  assert.equal(storage.commitsInline, true, 'nothing committed yet: quiet');
  await storage.appendUpdate('rpt_writer_quiet', nextSeq('rpt_writer_quiet'), edit(doc, 'first '));
  assert.equal(threadBatches(), 0, 'the first batch was committed inline');
  // Busy: the next batch comes at once, so the main thread must not wait on a commit.
  assert.equal(storage.commitsInline, false);
  await storage.appendUpdate('rpt_writer_quiet', nextSeq('rpt_writer_quiet'), edit(doc, 'second '));
  assert.equal(threadBatches(), 1, 'the second went to the thread');
  await new Promise((resolve) => setTimeout(resolve, quietMs + 50));
  assert.equal(storage.commitsInline, true, 'quiet again');
  await storage.appendUpdate('rpt_writer_quiet', nextSeq('rpt_writer_quiet'), edit(doc, 'third'));
  assert.equal(threadBatches(), 1, 'the third was committed inline');
  const stored = await storage.loadDocument('rpt_writer_quiet');
  const copy = new Y.Doc();
  for (const u of stored!.updates) Y.applyUpdate(copy, u);
  assert.equal(copy.getText('t').toString(), 'start first second third');
});

test('a command that reads, then writes, is not failed by a commit from the other connection', async (t) => {
  // Two connections write one WAL file (the main one and the writer thread's). A deferred
  // transaction that has read, and then must write after the other connection committed, fails
  // with SQLITE_BUSY_SNAPSHOT, which no busy timeout cures: the main connection's transactions
  // start IMMEDIATE. Here another thread holds the write lock, with a row written, while the main
  // connection creates a user (it reads whether the email exists, then inserts).
  const dir = tempDir(t);
  const storage = new SqliteStorage({ dataDir: dir, synchronous: 'FULL' });
  t.after(() => storage.close());
  await newReport(storage, 'rpt_writer_busy');
  const require = createRequire(import.meta.url);
  const holder = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require(workerData.module);
     const db = new Database(workerData.file);
     db.exec('BEGIN IMMEDIATE');
     db.prepare("INSERT INTO report_updates (report_id, seq, data) VALUES ('rpt_writer_busy', 1000000, x'0000')").run();
     parentPort.postMessage('holding');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
     db.exec('COMMIT');
     db.close();`,
    {
      eval: true,
      workerData: { file: path.join(dir, SQLITE_FILE), module: require.resolve('better-sqlite3') },
    },
  );
  await new Promise((resolve) => holder.once('message', resolve));
  const at = new Date().toISOString();
  await storage.createUser(
    {
      id: 'usr_busy',
      email: 'busy@test.example',
      displayName: 'Busy',
      passwordHash: 'x',
      createdAt: at,
    },
    null,
    {
      at,
      groupId: null,
      actorId: null,
      actor: 'test',
      action: 'user.create',
      target: 'usr_busy',
      detail: null,
      ip: null,
      requestId: null,
    },
  );
  assert.equal((await storage.getUser('usr_busy'))?.email, 'busy@test.example');
  await new Promise((resolve) => holder.once('exit', resolve));
  const stored = await storage.loadDocument('rpt_writer_busy');
  assert.equal(stored?.updates.length, 2, "the other connection's row is kept too");
});

test('the main connection never waits on its own writer thread (one write lock orders them)', async (t) => {
  // With busy_timeout 0 a transaction that met the writer thread's lock would fail at once with
  // SQLITE_BUSY instead of stopping the event loop for up to 5 s: every one must pass anyway,
  // because transactions wait (asynchronously) for the batch in flight, and batches for them.
  const storage = new SqliteStorage({
    dataDir: tempDir(t),
    synchronous: 'FULL',
    commits: 'thread',
  });
  t.after(() => storage.close());
  (storage.db as SqliteDb).raw.pragma('busy_timeout = 0');
  const doc = await newReport(storage, 'rpt_writer_lock');
  // The first append starts the thread; the rounds below meet it running.
  await storage.appendUpdate('rpt_writer_lock', nextSeq('rpt_writer_lock'), edit(doc, 'warm '));
  const work: Promise<unknown>[] = [];
  const rounds = 40;
  for (let i = 0; i < rounds; i++) {
    work.push(
      storage.appendUpdate('rpt_writer_lock', nextSeq('rpt_writer_lock'), edit(doc, `${i} `)),
    );
    // The batch is posted to the thread on the next turn; the transaction comes while it commits.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const at = new Date().toISOString();
    const g = { id: `g_lock_${i}`, name: `Group ${i}`, createdAt: at };
    work.push(
      storage.createGroup(g, {
        at,
        groupId: g.id,
        actorId: null,
        actor: 'test',
        action: 'group.create',
        target: g.id,
        detail: null,
        ip: null,
        requestId: null,
      }),
    );
  }
  const outcomes = await Promise.allSettled(work);
  const failed = outcomes.filter((o) => o.status === 'rejected');
  assert.deepEqual(failed, [], 'no write met a lock');
  assert.equal((await storage.listGroups()).length, rounds);
  const stored = await storage.loadDocument('rpt_writer_lock');
  const copy = new Y.Doc();
  for (const u of stored!.updates) Y.applyUpdate(copy, u);
  assert.equal(copy.getText('t').toString(), doc.getText('t').toString());
});
