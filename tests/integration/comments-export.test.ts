/**
 * Export: every thread a member may see, as CSV and JSON, with the paragraph's number at export
 * time (threads point at the paragraph id, never at a number). A paragraph deleted from the text
 * keeps its threads; they export as "deleted", with their quote. Formula-like cells are defused.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { paragraphNumbers } from '../../server/comments/numbers.js';
import type { ThreadView } from '../../shared/comments.js';
import { REPORT_FRAGMENT } from '../../shared/schema.js';
import { openThread, paragraphIds } from '../helpers/comments.js';
import { startTestServer, type TestServer, waitFor } from '../helpers/server.js';

let server: TestServer;
let reportId: string;

before(async () => {
  server = await startTestServer({ config: { unloadGraceMs: 50 } });
  reportId = (await server.createReport('Export')).id;
});

after(async () => {
  await server?.close();
});

/** Removes the paragraph with `id` from the report's text (a normal Yjs edit, made on the server). */
function removeParagraph(doc: Y.Doc, id: string): boolean {
  const walk = (parent: Y.XmlFragment | Y.XmlElement): boolean => {
    const children = parent.toArray();
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (!(child instanceof Y.XmlElement)) continue;
      if (child.nodeName === 'paragraph' && child.getAttribute('id') === id) {
        parent.delete(i, 1);
        return true;
      }
      if (walk(child)) return true;
    }
    return false;
  };
  return walk(doc.getXmlFragment(REPORT_FRAGMENT));
}

async function exportBoth() {
  const csv = await server.request('GET', `/api/reports/${reportId}/threads/export?format=csv`);
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
  const json = await server.request('GET', `/api/reports/${reportId}/threads/export?format=json`);
  assert.equal(json.status, 200);
  return {
    csv: await csv.text(),
    threads: ((await json.json()) as { threads: Array<ThreadView & { paragraph: string }> })
      .threads,
  };
}

test('exports carry the current paragraph number, and "deleted" once the paragraph is gone', async () => {
  const numbers = await paragraphNumbers(server.app, reportId);
  // The body's numbered paragraphs (the template's front matter is unnumbered: deleting it
  // renumbers nothing).
  const ids = (await paragraphIds(server, reportId)).filter((id) =>
    /^\d+$/.test(numbers.get(id) ?? ''),
  );
  assert.ok(ids.length >= 3, 'the template has numbered paragraphs');
  const [first, second, third] = ids as [string, string, string];
  const onSecond = await openThread(server, server.chair, reportId, {
    paragraphId: second,
    quote: 'the quoted, "exact" span',
    body: '=SUM(A1) is not a formula',
  });
  const onThird = await openThread(server, server.chair, reportId, {
    paragraphId: third,
    body: 'Third.',
  });

  let out = await exportBoth();
  const bySecond = out.threads.find((t) => t.id === onSecond.id)!;
  assert.equal(bySecond.paragraph, numbers.get(second));
  assert.equal(bySecond.paragraphId, second);
  assert.equal(bySecond.quote, 'the quoted, "exact" span');
  const header = out.csv.split('\r\n')[0]!;
  assert.equal(
    header,
    'threadId,paragraph,paragraphId,kind,visibility,status,quote,proposal,messageId,author,state,time,text,deleted',
  );
  const row = out.csv.split('\r\n').find((l) => l.startsWith(onSecond.id))!;
  assert.ok(row.includes(`${onSecond.id},${numbers.get(second)},${second},comment,group,open`));
  assert.ok(row.includes('"the quoted, ""exact"" span"'), 'quote kept as written, CSV-quoted');
  assert.ok(row.includes(",'=SUM(A1) is not a formula,"), 'formula cell defused');
  assert.ok(row.includes('The Chair'));

  // Delete the first paragraph: the others are renumbered; delete the second: its thread stays.
  await server.app.registry.withReport(reportId, (live) => {
    const doc = live.ydoc();
    doc.transact(() => {
      assert.ok(removeParagraph(doc, first));
      assert.ok(removeParagraph(doc, second));
    });
  });
  const now = await paragraphNumbers(server.app, reportId);
  assert.ok(!now.has(second));
  out = await exportBoth();
  const gone = out.threads.find((t) => t.id === onSecond.id)!;
  assert.equal(gone.paragraph, 'deleted');
  assert.equal(gone.quote, 'the quoted, "exact" span');
  assert.equal(out.threads.find((t) => t.id === onThird.id)!.paragraph, now.get(third));
  assert.notEqual(now.get(third), numbers.get(third), 'the third paragraph was renumbered');
  const goneRow = out.csv.split('\r\n').find((l) => l.startsWith(onSecond.id))!;
  assert.ok(goneRow.startsWith(`${onSecond.id},deleted,${second},`));
  assert.ok(goneRow.includes('"the quoted, ""exact"" span"'));
  // Threads on a deleted paragraph stay readable.
  const list = await server.request('GET', `/api/reports/${reportId}/threads`);
  const { threads } = (await list.json()) as { threads: ThreadView[] };
  assert.ok(threads.some((t) => t.id === onSecond.id));
  // Headless use does not pin the report in memory: the registry unloads it.
  await waitFor(() => server.app.registry.openCount === 0, 'the report to unload');
});
