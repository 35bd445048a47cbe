/**
 * Revisions at scale (issue #16): a report of 2,000 paragraphs with 200 revisions. Measures the
 * CPU the process spends to issue one revision and to open one comparison (medians; the server
 * runs in this process, so the HTTP client's share is included: an upper bound), and the bytes
 * each revision stores. Not part of `npm run bench`'s table; run it alone on a quiet machine:
 *
 *   node --import tsx tests/bench/revisions.ts [--paragraphs 2000] [--revisions 200]
 */
import { parseArgs } from 'node:util';
import type { CompareResponse } from '../../shared/compare.js';
import type { IssueRevisionResponse, RevisionListResponse } from '../../shared/revisions.js';
import {
  chapters,
  newParagraph,
  paragraphs,
  paragraphText,
  serverDoc,
} from '../helpers/clients.js';
import { startTestServer } from '../helpers/server.js';

const { values } = parseArgs({
  options: {
    paragraphs: { type: 'string', default: '2000' },
    revisions: { type: 'string', default: '200' },
  },
});
const PARAGRAPHS = Number(values.paragraphs);
const REVISIONS = Number(values.revisions);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const cpuMs = (start: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
};

const server = await startTestServer();
try {
  const reportId = (await server.createReport('Bench', 'blank')).id;
  const doc = await serverDoc(server, reportId);
  const chapter = chapters(doc)[0]!;
  doc.transact(() => {
    const add = [];
    for (let i = 0; i < PARAGRAPHS; i++)
      add.push(
        newParagraph(
          `benchpara${i}`,
          `The Group recommends that States consider measure ${i} in good faith, with due regard to their obligations under international law.`,
        ),
      );
    chapter.insert(chapter.length, add);
  });
  const issueCpu: number[] = [];
  const ids: string[] = [];
  for (let r = 0; r < REVISIONS; r++) {
    // A few edits between revisions, as a session would make.
    const ps = paragraphs(doc);
    doc.transact(() => {
      for (let k = 0; k < 5; k++)
        paragraphText(ps[(r * 37 + k * 401) % ps.length]!).insert(0, `r${r} `);
    });
    const start = process.cpuUsage();
    const res = await server.request('POST', `/api/reports/${reportId}/revisions`, {
      body: { label: `Rev.${r + 1}` },
    });
    issueCpu.push(cpuMs(start));
    if (res.status !== 201) throw new Error(`issue ${r}: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as IssueRevisionResponse).revision.id);
  }
  const compareCpu: number[] = [];
  for (let i = 0; i < Math.min(20, ids.length); i++) {
    const from = ids[(i * 7) % ids.length]!;
    const to = i % 2 === 0 ? 'live' : ids[ids.length - 1]!;
    const start = process.cpuUsage();
    const res = await server.request(
      'GET',
      `/api/reports/${reportId}/compare?from=${from}&to=${to}`,
    );
    const body = (await res.json()) as CompareResponse;
    compareCpu.push(cpuMs(start));
    if (res.status !== 200 || body.rows.length < PARAGRAPHS) throw new Error('compare failed');
  }
  const list = (await (
    await server.request('GET', `/api/reports/${reportId}/revisions`)
  ).json()) as RevisionListResponse;
  const bytes = list.revisions.map((r) => r.bytes);
  console.log(
    `revisions bench: ${PARAGRAPHS} paragraphs, ${REVISIONS} revisions (${server.app.storage.kind})`,
  );
  console.log(
    `  issue a revision: median ${median(issueCpu).toFixed(1)} ms CPU (max ${Math.max(...issueCpu).toFixed(1)})`,
  );
  console.log(
    `  open a comparison: median ${median(compareCpu).toFixed(1)} ms CPU (max ${Math.max(...compareCpu).toFixed(1)})`,
  );
  console.log(
    `  bytes per revision: median ${median(bytes)} (total ${bytes.reduce((a, b) => a + b, 0)})`,
  );
} finally {
  await server.close();
}
