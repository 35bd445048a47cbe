/**
 * A presence (awareness) client id belongs to the user who first published with it in a report:
 * nobody else may take it over, not even after its owner left, while the owner may come back.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { PresenceUser } from '../../shared/protocol.js';
import { awarenessMessage, closeAll, RawClient } from '../helpers/auth.js';
import { startTestServer, type TestServer, type TestUser, waitFor } from '../helpers/server.js';

let server: TestServer | null = null;
after(async () => {
  closeAll();
  await server?.close();
});

/** What the server stamps: the colour is the one the report gave the user (distinct there). */
const stamped = async (u: TestUser, reportId: string): Promise<PresenceUser> => ({
  name: u.displayName,
  color: (await server!.app.registry.withReport(reportId, (live) => live.colorOf(u.id)))!,
  role: u.role,
  represents: u.represents,
});

const entriesFor = (raw: RawClient, id: number) =>
  raw.frames.flatMap((f) =>
    f.type === 'awareness' ? f.entries.filter((e) => e.clientId === id) : [],
  );

test('nobody can take over the presence id of a user who left; the owner can come back', async () => {
  server = await startTestServer({ config: { presenceBatchMs: 0 } });
  const { id: reportId } = await server.createReport('Presence ownership');
  const owner = await server.addUser('expert', 'Kenya');
  const other = await server.addUser('observer', 'Holy See');
  const live = await server.app.registry.acquire(reportId);
  const watcher = await RawClient.open(server, server.chair, reportId);
  const id = 66_666;

  const first = await RawClient.open(server, owner, reportId);
  first.send(awarenessMessage(id, 1, { cursor: { anchor: 1, head: 1 } }));
  await waitFor(() => live.awareness.getStates().has(id), 'the owner’s presence');
  first.send(awarenessMessage(id, 2, null));
  await waitFor(() => !live.awareness.getStates().has(id), 'the owner leaving');
  first.close();
  await waitFor(
    () => ![...live.peers].some((p) => p.presenceClient === id),
    'the owner’s socket gone',
  );

  const squatter = await RawClient.open(server, other, reportId);
  squatter.send(awarenessMessage(id, 50, { cursor: { anchor: 50, head: 50 } }));
  await squatter.sync();
  await watcher.sync();
  assert.ok(!live.awareness.getStates().has(id), 'the squatter’s presence was applied');
  assert.ok(
    !entriesFor(watcher, id).some((e) => e.clock === 50),
    'the squatter’s presence was relayed',
  );
  assert.ok(squatter.open, 'the squatter was disconnected');

  const again = await RawClient.open(server, owner, reportId);
  again.send(awarenessMessage(id, 60, { cursor: { anchor: 60, head: 60 } }));
  await waitFor(() => entriesFor(watcher, id).some((e) => e.clock === 60), 'the owner back');
  const back = entriesFor(watcher, id).find((e) => e.clock === 60)!;
  assert.deepEqual((back.state as { user: PresenceUser }).user, await stamped(owner, reportId));
});
