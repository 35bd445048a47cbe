/**
 * SyncReplies (server/sync/sync-replies.ts): which state vector a SyncStep1 on one connection is
 * answered against. The first request and the first after the window get a full answer; repeats
 * within the window get only what the server gained since its last reply.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Y from 'yjs';
import { REPEAT_WINDOW_MS, SyncReplies } from '../../server/sync/sync-replies.js';

const sv = (entries: Array<[number, number]>) => Y.encodeStateVector(new Map(entries));
const read = (v: Uint8Array) => [...Y.decodeStateVector(v)].sort((a, b) => a[0] - b[0]);

test('a first request is answered against the client’s own state vector', () => {
  const replies = new SyncReplies();
  const client = sv([]);
  assert.deepEqual(read(replies.baseFor(client, sv([[1, 50]]), 1000)), []);
});

test('a repeat within the window is answered against what the server already sent', () => {
  const replies = new SyncReplies();
  replies.baseFor(sv([]), sv([[1, 50]]), 1000);
  // The client claims less than it was sent, and more of its own: the merge keeps the larger.
  assert.deepEqual(
    read(replies.baseFor(sv([[2, 7]]), sv([[1, 60]]), 1000 + REPEAT_WINDOW_MS - 1)),
    [
      [1, 50],
      [2, 7],
    ],
  );
  // The next repeat builds on the last reply (the server was at 60 then).
  assert.deepEqual(read(replies.baseFor(sv([]), sv([[1, 60]]), 1000 + REPEAT_WINDOW_MS - 1)), [
    [1, 60],
  ]);
});

test('after the window, a request is answered in full again, and opens a new window', () => {
  const replies = new SyncReplies();
  replies.baseFor(sv([]), sv([[1, 50]]), 1000);
  replies.baseFor(sv([]), sv([[1, 50]]), 5000);
  assert.deepEqual(read(replies.baseFor(sv([]), sv([[1, 70]]), 1000 + REPEAT_WINDOW_MS)), []);
  assert.deepEqual(read(replies.baseFor(sv([]), sv([[1, 70]]), 1001 + REPEAT_WINDOW_MS)), [
    [1, 70],
  ]);
});
