/**
 * GET /api/reports/:id/export over HTTP on a real server: the live text as a file with the right
 * type and name, valid against the OASIS schema, audited; bad requests are clear 4xx. Who may
 * export is the role matrix's `export` row (auth-matrix.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, mock, test } from 'node:test';
import * as Y from 'yjs';
import { auditEvents, closeAll, waitFor } from '../helpers/auth.js';
import {
  Cleanup,
  chapters,
  connectClient,
  isLive,
  newParagraph,
  serverDoc,
} from '../helpers/clients.js';
import { setStatus } from '../helpers/consensus.js';
import { paragraphStructure, unzip, validateAkn } from '../helpers/export.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let reportId: string;
const cleanup = new Cleanup();

before(async () => {
  mock.method(console, 'warn', () => {});
  server = await startTestServer();
  reportId = (await server.createReport('Report of the Group – 2026', 'gge-report')).id;
});

after(async () => {
  closeAll();
  await cleanup.run();
  await server?.close();
  mock.restoreAll();
});

const exportUrl = (query: string) => `/api/reports/${reportId}/export?${query}`;

describe('export over HTTP', () => {
  test('AKN of the live text: content type, file name, schema-valid, word count, audited', async () => {
    const res = await server.request('GET', exportUrl('format=akn'));
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.equal(res.headers.get('content-type'), 'application/akn+xml; charset=utf-8');
    assert.equal(
      res.headers.get('content-disposition'),
      `attachment; filename="Report-of-the-Group-2026.xml"; filename*=UTF-8''Report-of-the-Group-2026.xml`,
    );
    const v = validateAkn(body);
    assert.ok(v.ok, v.output);
    // The GGE template's seven chapters, numbered by the shared numbering.
    assert.equal(body.match(/<chapter /g)?.length, 7);
    assert.match(body, /<num>VII\.<\/num><heading>Conclusions and recommendations/);
    const words = Number(/words="(\d+)"/.exec(body)?.[1]);
    assert.ok(words > 20, String(words));
    assert.equal(res.headers.get('x-concord-word-count'), `${words}/10700`);
    const events = await auditEvents(server);
    const ev = events.find((e) => e.action === 'report.export' && e.target === reportId);
    assert.ok(ev, 'audit event');
    assert.deepEqual(
      { format: (ev.detail as { format: string }).format, actor: ev.actorId },
      { format: 'akn', actor: server.chair.id },
    );
  });

  test('what a client wrote is in the export, numbered as on screen, with its stable eId', async () => {
    const client = connectClient(server, reportId, {}, cleanup);
    await waitFor(() => isLive(client), 'sync');
    const first = chapters(client.doc)[0]!;
    first.insert(first.length, [
      newParagraph('exportp1', 'The Group [met] in New York.'),
      newParagraph('exportp1a', 'in person;', 1),
    ]);
    await waitFor(async () => {
      const res = await server.request('GET', exportUrl('format=akn'));
      return (await res.text()).includes('exportp1a');
    }, 'the edit in the export');
    const body = await (await server.request('GET', exportUrl('format=akn'))).text();
    assert.ok(validateAkn(body).ok);
    // Chapter I's template paragraph is 1., the new one 2. with its sub-paragraph (a).
    assert.match(
      body,
      /<paragraph eId="para_exportp1"><num>2\.<\/num><intro><p>The Group \[met\] in New York\.<\/p><\/intro><list eId="para_exportp1__list_1"><point eId="para_exportp1__point_exportp1a"><num>\(a\)<\/num>/,
    );
  });

  test('.docx, issued layout, statuses as margin notes: type, name, the status in comments.xml', async () => {
    // Chapter I's first paragraph (numbered 1.), not the front matter's first (unnumbered).
    const [chapterOne] = chapters(await serverDoc(server, reportId));
    const [first] = chapterOne!.createTreeWalker(
      (n) => n instanceof Y.XmlElement && n.nodeName === 'paragraph',
    );
    const pid = String((first as Y.XmlElement).getAttribute('id'));
    await setStatus(server, reportId, pid, 'under_discussion');
    const res = await server.request('GET', exportUrl('format=docx&layout=issued&options=status'));
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get('content-type'),
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    assert.match(
      res.headers.get('content-disposition')!,
      /filename="Report-of-the-Group-2026\.docx"/,
    );
    const parts = unzip(Buffer.from(await res.arrayBuffer()));
    assert.match(parts.get('word/comments.xml')!.toString(), /Paragraph 1\.: Under discussion/);
    const structure = paragraphStructure(parts.get('word/document.xml')!.toString());
    assert.ok(structure.some((l) => l.includes('**VII.**\\t**Conclusions and recommendations')));
    assert.ok(structure.some((l) => l.includes('General Assembly')));
  });

  test('the masthead comes from the document metadata, in both .docx layouts and AKN', async () => {
    const { id } = await server.createReport('Masthead', 'ga-resolution');
    const put = await server.request('PUT', `/api/reports/${id}/metadata`, {
      body: {
        symbol: 'A/C.1/70/L.45',
        distribution: 'Limited',
        date: '2015-10-21',
        originalLanguage: 'Russian',
        session: 'Seventieth session',
        agendaItem: 'Agenda item 92',
        documentType: 'draft-resolution',
      },
    });
    assert.equal(put.status, 200, await put.text());
    const url = (q: string) => `/api/reports/${id}/export?${q}`;
    const akn = await server.request('GET', url('format=akn'));
    assert.equal(akn.status, 200);
    assert.match(akn.headers.get('content-disposition')!, /filename="A-C.1-70-L.45\.xml"/);
    const xml = await akn.text();
    assert.ok(validateAkn(xml).ok);
    for (const part of [
      '<docNumber>A/C.1/70/L.45</docNumber>',
      'Distr.: Limited',
      '<docDate date="2015-10-21">',
      'Original: Russian',
      '<p class="session">Seventieth session</p>',
      '<p class="session">Agenda item 92</p>',
      '<FRBRlanguage language="rus"/>',
    ])
      assert.ok(xml.includes(part), part);
    const issued = unzip(
      Buffer.from(
        await (await server.request('GET', url('format=docx&layout=issued'))).arrayBuffer(),
      ),
    );
    const doc = issued.get('word/document.xml')!.toString();
    for (const part of [
      'A/C.1/70/L.45',
      'Distr.: Limited',
      '21 October 2015',
      'Original: Russian',
      'Seventieth session',
      'Agenda item 92',
      'General Assembly',
    ])
      assert.ok(doc.includes(part), part);
    const manuscript = unzip(
      Buffer.from(await (await server.request('GET', url('format=docx'))).arrayBuffer()),
    )
      .get('word/document.xml')!
      .toString();
    for (const part of ['Symbol: ', 'A/C.1/70/L.45', 'Limited', '2015-10-21', 'Russian'])
      assert.ok(manuscript.includes(part), part);
  });

  test('bad requests: unknown format, unknown option, a revision that does not exist', async () => {
    for (const [query, status] of [
      ['format=pdf', 400],
      ['', 400],
      ['format=akn&layout=poster', 400],
      ['format=akn&options=everything', 400],
      ['format=akn&colour=red', 400],
      ['format=akn&revision=Rev.9', 404],
      // Ids and labels are looked up, never used as paths: an odd one is simply not there.
      ['format=akn&revision=..%2F..', 404],
      [`format=akn&revision=${'x'.repeat(65)}`, 400],
    ] as const) {
      const res = await server.request('GET', exportUrl(query));
      assert.equal(res.status, status, `${query}: ${res.status} ${await res.text()}`);
    }
    const ghost = await server.request('GET', '/api/reports/zzzzzzzzzzzzzzzz/export?format=akn');
    assert.equal(ghost.status, 404);
  });
});
