/**
 * Document metadata over HTTP (server/http/metadata-routes.ts): everyone in the report reads
 * it; the chair and the secretariat change it (editMetadata), others get 403, strangers 404;
 * bad values are a 400 that stores nothing; a change is audited and pushed to the room.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { DocumentMetadata, MetadataView } from '../../shared/metadata.js';
import { auditEvents, outsider } from '../helpers/auth.js';
import { closeEventClients, EventClient } from '../helpers/comments.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

const OEWG: DocumentMetadata = {
  symbol: 'A/AC.290/2021/CRP.2',
  distribution: 'Restricted',
  date: '2021-03-10',
  originalLanguage: 'English',
  session: 'Third substantive session',
  agendaItem: 'Agenda item 5',
  documentType: 'conference-room-paper',
};

describe('document metadata', () => {
  let server: TestServer;
  let reportId: string;
  let secretariat: TestUser;
  let expert: TestUser;
  let observer: TestUser;

  before(async () => {
    server = await startTestServer();
    reportId = (await server.createReport('OEWG', 'oewg-report')).id;
    secretariat = await server.addUser('secretariat');
    expert = await server.addUser('expert', 'Kenya');
    observer = await server.addUser('observer', 'ICRC');
  });
  after(async () => {
    closeEventClients();
    await server.close();
  });

  const url = () => `/api/reports/${reportId}/metadata`;
  const read = async (as: TestUser) => {
    const res = await server.request('GET', url(), { as });
    assert.equal(res.status, 200);
    return ((await res.json()) as { metadata: MetadataView }).metadata;
  };

  test('the chair sets it: stored, audited, pushed to everyone in the report', async () => {
    const watcher = await EventClient.connect(server, observer, reportId);
    const res = await server.request('PUT', url(), { body: OEWG });
    assert.equal(res.status, 200);
    const { metadata } = (await res.json()) as { metadata: MetadataView };
    assert.equal(metadata.symbol, 'A/AC.290/2021/CRP.2');
    assert.equal(metadata.updatedBy, server.chair.displayName);
    assert.deepEqual(await read(observer), metadata);
    await (async () => {
      for (let i = 0; i < 200 && !watcher.events.some((e) => e.type === 'metadata'); i++)
        await new Promise((r) => setTimeout(r, 10));
    })();
    const pushed = watcher.events.find((e) => e.type === 'metadata');
    assert.ok(pushed && pushed.type === 'metadata');
    assert.deepEqual(pushed.metadata, metadata);
    const line = (await auditEvents(server)).find((a) => a.action === 'report.metadata');
    assert.ok(line, 'audited');
    assert.equal(line.target, reportId);
    assert.deepEqual((line.detail!['changed'] as Record<string, unknown>)['symbol'], {
      from: '',
      to: 'A/AC.290/2021/CRP.2',
    });
  });

  test('the secretariat may change it; an expert or an observer may not (403)', async () => {
    const next = { ...OEWG, distribution: 'General' as const };
    assert.equal((await server.request('PUT', url(), { as: secretariat, body: next })).status, 200);
    for (const as of [expert, observer]) {
      const res = await server.request('PUT', url(), { as, body: { ...OEWG, symbol: 'A/1' } });
      assert.equal(res.status, 403);
    }
    assert.equal((await read(expert)).distribution, 'General');
    assert.equal((await read(expert)).symbol, OEWG.symbol);
  });

  test('bad values: 400 naming the field, nothing stored', async () => {
    const beforeBad = await read(server.chair);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...OEWG, symbol: 'not a symbol' }, /symbol/],
      [{ ...OEWG, symbol: `A/${'1'.repeat(80)}` }, /symbol/],
      [{ ...OEWG, distribution: 'Secret' }, /distribution/],
      [{ ...OEWG, date: '2015-02-30' }, /date/],
      [{ ...OEWG, date: '22 July 2015' }, /date/],
      [{ ...OEWG, originalLanguage: 'Klingon' }, /originalLanguage/],
      [{ ...OEWG, session: 'x'.repeat(201) }, /session/],
      [{ ...OEWG, agendaItem: 'two\nlines' }, /agendaItem/],
      [{ ...OEWG, documentType: 'poem' }, /documentType/],
      [{ ...OEWG, colour: 'blue' }, /colour/],
      [{ symbol: 'A/70/174' }, /distribution/],
    ];
    for (const [body, message] of bad) {
      const res = await server.request('PUT', url(), { body });
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.match(((await res.json()) as { message: string }).message, message);
    }
    assert.equal((await server.request('PUT', url(), { body: '"text"' })).status, 400);
    assert.deepEqual(await read(server.chair), beforeBad);
  });

  test('strangers and unknown reports: 404', async () => {
    const other = await outsider(server, 'chair');
    assert.equal((await server.request('GET', url(), { as: other })).status, 404);
    assert.equal((await server.request('PUT', url(), { as: other, body: OEWG })).status, 404);
    const missing = '/api/reports/aaaaaaaaaaaaaaaa/metadata';
    assert.equal((await server.request('GET', missing)).status, 404);
    assert.equal((await server.request('GET', url(), { as: null })).status, 401);
  });
});
