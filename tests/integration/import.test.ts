/**
 * Import over HTTP on a real server (server/import/routes.ts): the preview writes nothing; the
 * import creates the report, its text and its masthead metadata at once, audited; bad input
 * (empty, too large, not what it claims, an unknown format) is a clear 400/413 and nothing is
 * created. Who may import is the matrix's `importDocument` (also in auth-matrix.test.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, mock, test } from 'node:test';
import { reportToProseMirror } from '../../server/reports.js';
import { countOutline, IMPORT_MAX_BYTES, type ImportPreview } from '../../shared/import.js';
import { outlineFromDoc, plainText } from '../../shared/outline.js';
import type { Role } from '../../shared/roles.js';
import { auditEvents, closeAll, waitFor } from '../helpers/auth.js';
import { Cleanup, connectClient, isLive } from '../helpers/clients.js';
import { setStatus } from '../helpers/consensus.js';
import { startTestServer, type TestServer, type TestUser } from '../helpers/server.js';

const FIXTURE = fs.readFileSync(new URL('../fixtures/import/A-C.1-70-L.45.txt', import.meta.url));

let server: TestServer;
const cleanup = new Cleanup();
const users = new Map<Role, TestUser>();

before(async () => {
  mock.method(console, 'warn', () => {});
  server = await startTestServer();
  for (const role of ['secretariat', 'expert', 'observer'] as const)
    users.set(role, await server.addUser(role));
});

after(async () => {
  closeAll();
  await cleanup.run();
  await server?.close();
  mock.restoreAll();
});

/** POSTs `body` (the file) as `user` (default: the chair). */
async function post(
  path: string,
  body: Uint8Array | string,
  user: TestUser = server.chair,
  type = 'application/octet-stream',
): Promise<Response> {
  return fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    headers: { cookie: user.cookie, 'content-type': type },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
}

const importUrl = (format: string, preview = false, extra = '') =>
  `/api/groups/${server.groupId}/import${preview ? '/preview' : ''}?format=${format}${extra}`;

const reportCount = async () => (await server.app.storage.listReports()).length;

describe('import over HTTP', () => {
  test('the preview says what would be created and creates nothing', async () => {
    const before = await reportCount();
    const res = await post(importUrl('text', true), FIXTURE, server.chair, 'text/plain');
    const preview = (await res.json()) as ImportPreview;
    assert.equal(res.status, 200, JSON.stringify(preview));
    assert.equal(preview.type, 'resolution');
    assert.equal(preview.counts.preambular, 16);
    assert.equal(preview.counts.operative, 6);
    assert.equal(preview.blocks.find((b) => b.part === 'operative')?.label, '1.');
    assert.ok(preview.notes.length > 0);
    assert.equal(await reportCount(), before);
  });

  test('the import creates the report with its text and masthead metadata, audited', async () => {
    const res = await post(importUrl('text'), FIXTURE, users.get('secretariat')!);
    const body = (await res.json()) as {
      report: { id: string; title: string; template: string };
      preview: ImportPreview;
    };
    assert.equal(res.status, 201, JSON.stringify(body));
    const { report, preview } = body;
    assert.match(report.title, /^Developments in the field of information/);
    assert.equal(report.template, 'ga-resolution');
    const doc = await server.app.registry.withReport(report.id, (live) =>
      reportToProseMirror(live.ydoc()),
    );
    const outline = outlineFromDoc(doc);
    assert.deepEqual(countOutline(outline), preview.counts);
    assert.equal(plainText(outline.title), preview.title);
    const meta = (await (
      await server.request('GET', `/api/reports/${report.id}/metadata`)
    ).json()) as { metadata: Record<string, string> };
    assert.equal(meta.metadata['distribution'], 'Limited');
    assert.equal(meta.metadata['date'], '2015-10-21');
    assert.equal(meta.metadata['session'], 'Seventieth session');
    assert.equal(meta.metadata['documentType'], 'draft-resolution');
    const ev = (await auditEvents(server)).find(
      (e) => e.action === 'report.import' && e.target === report.id,
    );
    assert.ok(ev, 'audited');
  });

  test('a .docx exported by Concord imports as the same structure (export → import over HTTP)', async () => {
    const first = (await (await post(importUrl('text'), FIXTURE)).json()) as {
      report: { id: string };
      preview: ImportPreview;
    };
    const exported = await server.request(
      'GET',
      `/api/reports/${first.report.id}/export?format=docx&layout=issued`,
    );
    assert.equal(exported.status, 200);
    const file = new Uint8Array(await exported.arrayBuffer());
    const res = await post(importUrl('docx'), file);
    const second = (await res.json()) as { report: { id: string }; preview: ImportPreview };
    assert.equal(res.status, 201, JSON.stringify(second));
    assert.deepEqual(second.preview.counts, first.preview.counts);
    assert.deepEqual(
      second.preview.blocks.map((b) => [b.label, b.level, b.text]),
      first.preview.blocks.map((b) => [b.label, b.level, b.text]),
    );
    assert.deepEqual(second.preview.footnotes, first.preview.footnotes);
    // A .docx with macros: refused, nothing created.
    const before = await reportCount();
    const { strToU8, zipSync } = await import('fflate');
    const docm = zipSync({
      '[Content_Types].xml': strToU8('<Types/>'),
      'word/document.xml': strToU8('<w:document/>'),
      'word/vbaProject.bin': strToU8('x'),
    });
    const refused = await post(importUrl('docx'), docm);
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { message: string }).message, /macros/);
    assert.equal(await reportCount(), before);
  });

  test('AKN exported by Concord imports as the same structure; an XML with entities is refused', async () => {
    const first = (await (await post(importUrl('text'), FIXTURE)).json()) as {
      report: { id: string };
      preview: ImportPreview;
    };
    const exported = await server.request(
      'GET',
      `/api/reports/${first.report.id}/export?format=akn`,
    );
    assert.equal(exported.status, 200);
    const res = await post(
      importUrl('akn'),
      await exported.text(),
      server.chair,
      'application/xml',
    );
    const second = (await res.json()) as { report: { id: string }; preview: ImportPreview };
    assert.equal(res.status, 201, JSON.stringify(second));
    assert.deepEqual(second.preview.counts, first.preview.counts);
    assert.deepEqual(
      second.preview.blocks.map((b) => [b.label, b.level, b.text]),
      first.preview.blocks.map((b) => [b.label, b.level, b.text]),
    );
    const before = await reportCount();
    const xxe = await post(
      importUrl('akn'),
      '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><akomaNtoso>&x;</akomaNtoso>',
    );
    assert.equal(xxe.status, 400);
    assert.match(((await xxe.json()) as { message: string }).message, /entity/);
    assert.equal(await reportCount(), before);
  });

  test('a new draft of an existing report: its text replaced as one live change; refused while text is agreed', async () => {
    const { id } = await server.createReport('Draft', 'gge-report');
    const client = connectClient(server, id, {}, cleanup);
    await waitFor(() => isLive(client), 'sync');
    const draft = 'Draft report\nI. Introduction\n1. The Group met in New York.\n(a) in person;\n';
    const preview = await post(`/api/reports/${id}/import/preview?format=text`, draft);
    assert.equal(preview.status, 200);
    assert.equal(((await preview.json()) as ImportPreview).counts.chapters, 1);
    const expert = await post(`/api/reports/${id}/import?format=text`, draft, users.get('expert')!);
    assert.equal(expert.status, 403);
    const res = await post(`/api/reports/${id}/import?format=text`, draft);
    const body = (await res.json()) as { preview: ImportPreview };
    assert.equal(res.status, 200, JSON.stringify(body));
    const doc = await server.app.registry.withReport(id, (live) =>
      reportToProseMirror(live.ydoc()),
    );
    const outline = outlineFromDoc(doc);
    assert.deepEqual(
      outline.blocks.map((b) => [b.kind, b.label, plainText(b.inlines)]),
      [
        ['chapter', 'I.', 'Introduction'],
        ['paragraph', '1.', 'The Group met in New York.'],
        ['paragraph', '(a)', 'in person;'],
      ],
    );
    // Everyone in the report got the new draft live.
    await waitFor(
      () => client.doc.getXmlFragment('report').toString().includes('in person;'),
      'the new draft at the connected client',
    );
    // Agreed text is locked: a new draft is refused and changes nothing.
    const pid = outline.blocks[1]!.id!;
    await setStatus(server, id, pid, 'agreed');
    const locked = await post(
      `/api/reports/${id}/import?format=text`,
      'Other\nI. Other\n1. Other.',
    );
    assert.equal(locked.status, 409);
    assert.match(((await locked.json()) as { message: string }).message, /agreed or locked/);
    const after = await server.app.registry.withReport(id, (live) =>
      reportToProseMirror(live.ydoc()),
    );
    assert.ok(after.eq(doc));
  });

  test('a title given with the request names the report', async () => {
    const res = await post(importUrl('text', false, '&title=L.45%20as%20tabled'), FIXTURE);
    const body = (await res.json()) as { report: { title: string } };
    assert.equal(res.status, 201);
    assert.equal(body.report.title, 'L.45 as tabled');
  });

  test('experts and observers may not import or preview: 403, nothing created', async () => {
    const before = await reportCount();
    for (const role of ['expert', 'observer'] as const) {
      for (const preview of [true, false]) {
        const res = await post(importUrl('text', preview), FIXTURE, users.get(role)!);
        assert.equal(res.status, 403, `${role} ${preview}`);
      }
    }
    assert.equal(await reportCount(), before);
  });

  test('bad input: a clear 400 or 413 and nothing created', async () => {
    const before = await reportCount();
    const cases: Array<[string, Uint8Array | string, number, RegExp]> = [
      [importUrl('text'), '', 400, /empty/],
      [importUrl('text'), new Uint8Array([0x41, 0x00, 0x42]), 400, /binary/],
      [importUrl('text'), new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0]), 400, /zip/],
      [importUrl('pdf'), FIXTURE, 400, /format/],
      [importUrl('text'), new Uint8Array(IMPORT_MAX_BYTES + 1), 413, /larger than 10 MiB/],
    ];
    for (const [url, body, status, message] of cases) {
      const res = await post(url, body);
      const json = (await res.json()) as { message: string };
      assert.equal(res.status, status, `${url}: ${json.message}`);
      assert.match(json.message, message);
    }
    assert.equal(await reportCount(), before);
  });

  test('a 50 MB upload is refused on its declared length', async () => {
    const res = await post(importUrl('docx'), new Uint8Array(50 * 1024 * 1024)).catch(
      (err: unknown) => err,
    );
    // The server answers 413 before reading; a client still sending may see the reset instead.
    if (res instanceof Response) assert.equal(res.status, 413);
    else assert.ok(res instanceof Error);
  });
});
