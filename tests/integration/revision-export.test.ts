/**
 * Exports of revisions over HTTP (issue #17): `export?revision=<label or id>` gives the frozen
 * revision (not the text since), under its symbol and label (A-AC.290-2021-CRP.2-Rev.1.docx) with
 * the metadata it was issued with; `export/changes?from=…&to=…` gives the changes as Word track
 * changes by the Chair on the later revision's date (accept all: the later text; reject all: the
 * earlier), which LibreOffice reads as tracked insertions and deletions; while the report keeps
 * the last revision's numbers, an export numbers an inserted paragraph "1 bis". Unknown
 * revisions, another report's, strangers: 404.
 */
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import * as Y from 'yjs';
import type { IssueRevisionResponse } from '../../shared/revisions.js';
import { auditEvents, closeAll, outsider } from '../helpers/auth.js';
import { chapters, newParagraph, serverDoc } from '../helpers/clients.js';
import { json } from '../helpers/comments.js';
import { appendToParagraph } from '../helpers/consensus.js';
import { libreOfficeConvert, resolvedParagraphs, unzip } from '../helpers/export.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let reportId: string;
let firstPid: string;
let rev1: IssueRevisionResponse['revision'];
let rev2: IssueRevisionResponse['revision'];

const METADATA = {
  symbol: 'A/AC.290/2021/CRP.2',
  distribution: 'Restricted',
  date: '2021-03-10',
  originalLanguage: 'English',
  session: 'Third substantive session',
  agendaItem: 'Agenda item 5',
  documentType: 'conference-room-paper',
};

async function issue(label: string, date: string) {
  const res = await server.request('POST', `/api/reports/${reportId}/revisions`, {
    as: server.chair,
    body: { label, date },
  });
  return (await json<IssueRevisionResponse>(res, 201)).revision;
}

async function get(query: string, path = 'export') {
  return server.request('GET', `/api/reports/${reportId}/${path}?${query}`, { as: server.chair });
}

/** The paragraphs of a .docx's document.xml after accepting, rejecting or leaving its changes. */
async function paragraphsOf(res: Response, how: 'accept' | 'reject' | 'none' = 'none') {
  assert.equal(res.status, 200, res.status === 200 ? '' : await res.text());
  const file = Buffer.from(await res.arrayBuffer());
  return resolvedParagraphs(unzip(file).get('word/document.xml')!.toString(), how);
}

before(async () => {
  mock.method(console, 'warn', () => {});
  server = await startTestServer();
  reportId = (await server.createReport('Exported revisions', 'gge-report')).id;
  const put = await server.request('PUT', `/api/reports/${reportId}/metadata`, {
    as: server.chair,
    body: METADATA,
  });
  assert.equal(put.status, 200, await put.text());
  const doc = await serverDoc(server, reportId);
  const chapter = chapters(doc)[0]!;
  firstPid = String(
    chapter
      .toArray()
      .find((n): n is Y.XmlElement => n instanceof Y.XmlElement && n.nodeName === 'paragraph')!
      .getAttribute('id'),
  );
  await appendToParagraph(server, reportId, firstPid, 'States should cooperate in good faith.');
  rev1 = await issue('Rev.1', '2021-03-10');
  await appendToParagraph(server, reportId, firstPid, ' Later words.');
  rev2 = await issue('Rev.2', '2021-05-20');
  // The symbol changes after Rev.1 and Rev.2: their exports keep the one they were issued with.
  await server.request('PUT', `/api/reports/${reportId}/metadata`, {
    as: server.chair,
    body: { ...METADATA, symbol: 'A/AC.290/2021/CRP.3' },
  });
  await appendToParagraph(server, reportId, firstPid, ' Live words.');
});

after(async () => {
  closeAll();
  await server?.close();
  mock.restoreAll();
});

test('a revision by label or id: its own text, named by its symbol and label, audited', async () => {
  for (const ref of ['Rev.1', 'rev.1', rev1.id]) {
    const res = await get(`format=docx&revision=${encodeURIComponent(ref)}`);
    assert.equal(
      res.headers.get('content-disposition'),
      `attachment; filename="A-AC.290-2021-CRP.2-Rev.1.docx"; filename*=UTF-8''A-AC.290-2021-CRP.2-Rev.1.docx`,
      ref,
    );
    const paras = await paragraphsOf(res);
    assert.ok(
      paras.some((p) => p.endsWith('States should cooperate in good faith.')),
      paras.join('\n'),
    );
    assert.ok(!paras.some((p) => /Later words|Live words/.test(p)), `${ref}: later text`);
  }
  const akn = await get('format=akn&revision=Rev.2');
  const xml = await akn.text();
  assert.equal(akn.status, 200, xml);
  assert.match(akn.headers.get('content-disposition')!, /filename="A-AC.290-2021-CRP.2-Rev.2.xml"/);
  assert.match(xml, /Later words\./);
  assert.doesNotMatch(xml, /Live words/);
  assert.match(xml, /<FRBRversionNumber value="Rev.2"\/>/);
  const audited = (await auditEvents(server)).filter(
    (e) => e.action === 'report.export' && e.target === reportId,
  );
  assert.ok(audited.some((e) => e.detail?.['revision'] === rev1.id));
  // The live text: the words since (its masthead and name come from the live metadata).
  const live = await get('format=docx');
  assert.ok((await paragraphsOf(live)).some((p) => p.includes('Live words.')));
});

test('unknown revisions, another report’s, strangers: 404; a reference too long: 400', async () => {
  const other = (await server.createReport('Other', 'blank')).id;
  const foreign = await json<IssueRevisionResponse>(
    await server.request('POST', `/api/reports/${other}/revisions`, {
      as: server.chair,
      body: {},
    }),
    201,
  );
  for (const q of ['format=docx&revision=Rev.9', `format=docx&revision=${foreign.revision.id}`]) {
    assert.equal((await get(q)).status, 404, q);
  }
  assert.equal((await get(`from=${foreign.revision.id}&to=Rev.2`, 'export/changes')).status, 404);
  assert.equal((await get('from=Rev.1&to=Rev.9', 'export/changes')).status, 404);
  assert.equal((await get(`from=${'x'.repeat(65)}`, 'export/changes')).status, 400);
  assert.equal((await get('to=Rev.2', 'export/changes')).status, 400);
  const stranger = await outsider(server, 'chair');
  const res = await server.request(
    'GET',
    `/api/reports/${reportId}/export/changes?from=Rev.1&to=Rev.2`,
    { as: stranger },
  );
  assert.equal(res.status, 404);
});

test('Rev.1 to Rev.2 as Word track changes: accept all gives Rev.2, reject all Rev.1; LibreOffice reads them', async () => {
  const res = await get('from=Rev.1&to=Rev.2', 'export/changes');
  assert.match(
    res.headers.get('content-disposition')!,
    /filename="A-AC.290-2021-CRP.2-Rev.1-to-Rev.2.docx"/,
  );
  const file = Buffer.from(await res.clone().arrayBuffer());
  const xml = unzip(file).get('word/document.xml')!.toString();
  assert.match(xml, /<w:ins [^>]*w:author="Chair"[^>]*w:date="2021-05-20T00:00:00Z"/);
  const accepted = resolvedParagraphs(xml, 'accept');
  const rejected = resolvedParagraphs(xml, 'reject');
  const rev2Docx = await paragraphsOf(await get(`format=docx&revision=${rev2.id}`));
  const rev1Docx = await paragraphsOf(await get(`format=docx&revision=${rev1.id}`));
  const line = (ps: string[], what: string) =>
    ps.find((p) => p.includes('States should cooperate')) ?? `(none in ${what})`;
  assert.equal(line(accepted, 'accepted'), line(rev2Docx, 'Rev.2'));
  assert.equal(line(rejected, 'rejected'), line(rev1Docx, 'Rev.1'));
  // A real word processor holds the differences as tracked changes by the Chair.
  const [odt] = libreOfficeConvert([file], 'odt');
  const content = unzip(odt!).get('content.xml')!.toString();
  const regions = [...content.matchAll(/<text:changed-region[\s\S]*?<\/text:changed-region>/g)].map(
    (m) => m[0],
  );
  assert.ok(
    regions.some((r) => r.includes('<text:insertion>')),
    `insertions in:\n${regions.join('\n')}`,
  );
  for (const r of regions) assert.match(r, /<dc:creator>Chair<\/dc:creator>/);
  // Against the live text.
  const live = await get('from=Rev.2', 'export/changes');
  assert.match(live.headers.get('content-disposition')!, /Rev.2-to-current-text.docx"/);
  const liveAccepted = await paragraphsOf(live, 'accept');
  assert.ok(
    liveAccepted.some((p) => p.endsWith('Later words. Live words.')),
    liveAccepted.join('\n'),
  );
});

test("while the report keeps the last revision's numbers, the export numbers an inserted paragraph 1 bis", async () => {
  const set = await server.request('PUT', `/api/reports/${reportId}/numbering`, {
    as: server.chair,
    body: { keepNumbers: true },
  });
  assert.equal(set.status, 200, await set.text());
  const doc = await serverDoc(server, reportId);
  const chapter = chapters(doc)[0]!;
  const at = chapter
    .toArray()
    .findIndex((n) => n instanceof Y.XmlElement && n.getAttribute('id') === firstPid);
  doc.transact(() => chapter.insert(at + 1, [newParagraph('exportbis01', 'Inserted after one.')]));
  await new Promise((r) => setTimeout(r, 20));
  const paras = await paragraphsOf(await get('format=docx'));
  assert.ok(
    paras.some((p) => /^1 bis\.\s*Inserted after one\.$/.test(p)),
    paras.join('\n'),
  );
  // The paragraphs after it keep their numbers: the body ends at 7 (plainly renumbered: at 8).
  const numbers = paras.map((p) => /^(\d+)\.\t/.exec(p)?.[1]).filter(Boolean);
  assert.ok(numbers.includes('7') && !numbers.includes('8'), paras.join('\n'));
});

test('a revision exports to the same bytes every time, apart from the generation time', async () => {
  const parts = async (query: string) => {
    const res = await get(query);
    assert.equal(res.status, 200);
    return unzip(Buffer.from(await res.arrayBuffer()));
  };
  const a = await parts(`format=docx&revision=${rev1.id}`);
  // Later edits of the live text and another revision issued meanwhile change nothing.
  await appendToParagraph(server, reportId, firstPid, ' Even later.');
  const b = await parts('format=docx&revision=Rev.1');
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [name, bytes] of a) {
    // docProps/core.xml holds the generation timestamp.
    if (name === 'docProps/core.xml') continue;
    assert.ok(bytes.equals(b.get(name)!), `${name} differs`);
  }
  const akn = async () =>
    (await (await get('format=akn&revision=Rev.1')).text()).replace(
      /\d{4}-\d\d-\d\dT[\d:.]+Z/g,
      'T',
    );
  assert.equal(await akn(), await akn());
});
