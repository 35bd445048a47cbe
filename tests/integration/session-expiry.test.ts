/**
 * A sync socket closes with 4401 when its session reaches its absolute expiry
 * (CONCORD_SESSION_MAX_HOURS after login), even while it is in use; other sessions' sockets stay.
 * The expiry instants are kept by one timer for all sockets (server/sync/expiry.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CloseCode } from '../../shared/protocol.js';
import { closeAll, connectSynced, newSession, type, waitFor } from '../helpers/auth.js';
import { startTestServer } from '../helpers/server.js';

test('sockets close with 4401 at their session’s absolute expiry, each session at its own', async (t) => {
  // Four seconds of session life: long enough to connect on a slow machine, short enough to wait.
  const server = await startTestServer({ config: { sessionMaxHours: 4 / 3600 } });
  t.after(async () => {
    closeAll();
    await server.close();
  });
  const reportId = (await server.createReport('Expiry', 'blank')).id;
  const expert = await server.addUser('expert', 'Chile');
  const first = await connectSynced(server, expert, reportId);
  const second = await connectSynced(server, expert, reportId);
  // A later login: its session (and sockets) expire later.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const laterSession = await newSession(server, expert);
  const later = await connectSynced(server, laterSession, reportId);

  type(first, 'typed before expiry');
  await waitFor(() => later.text() === 'typed before expiry', 'the edit to reach the later socket');
  await waitFor(
    () => first.closes.length > 0 && second.closes.length > 0,
    'both sockets of the first session to close',
    8000,
  );
  assert.deepEqual(first.closes, [CloseCode.SessionEnded]);
  assert.deepEqual(second.closes, [CloseCode.SessionEnded]);
  assert.deepEqual(later.closes, [], 'the later session closed with the first');
  await waitFor(() => later.closes.length > 0, 'the later session to close in its turn', 8000);
  assert.deepEqual(later.closes, [CloseCode.SessionEnded]);
  assert.equal(server.app.peers.countUser(expert.id), 0);
});
