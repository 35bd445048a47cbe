/**
 * Export cost: CPU per export (.docx manuscript, .docx issued, AKN) of a report of 2,000
 * paragraphs with 300 footnotes, median of repetitions, measured in-process with
 * process.cpuUsage (user + system) around outline + writer, as the route does. Not part of
 * `npm run bench`'s table; run it alone: node --import tsx tests/bench/export.ts [--reps N].
 * export.test.ts runs it tiny (correctness only, no timing asserted).
 */
import { parseArgs } from 'node:util';
import type { Node as PMNode } from 'prosemirror-model';
import { toAkn } from '../../server/export/akn.js';
import { toDocx } from '../../server/export/docx.js';
import { DEFAULT_META, outlineFromDoc } from '../../shared/outline.js';
import { schema } from '../../shared/schema.js';
import { wordCount } from '../../shared/wordCount.js';

const WORDS =
  'States should cooperate in good faith to prevent harmful ICT practices and [promote] an open, secure, stable, accessible and peaceful ICT environment'.split(
    ' ',
  );

/** A report of `paragraphs` paragraphs (every fourth a sub-paragraph) over 10 chapters, with `footnotes` footnotes. */
export function benchReport(paragraphs: number, footnotes: number): PMNode {
  const n = schema.nodes;
  const perChapter = Math.ceil(paragraphs / 10);
  const every = Math.max(1, Math.floor(paragraphs / Math.max(footnotes, 1)));
  let made = 0;
  let notes = 0;
  const chapters: PMNode[] = [];
  for (let c = 0; c < 10 && made < paragraphs; c++) {
    const paras: PMNode[] = [n['chapter_heading']!.create(null, schema.text(`Chapter ${c + 1}`))];
    for (let i = 0; i < perChapter && made < paragraphs; i++, made++) {
      const text = Array.from({ length: 40 }, (_, k) => WORDS[(made + k) % WORDS.length]).join(' ');
      const content: PMNode[] = [schema.text(`${text}.`)];
      if (notes < footnotes && made % every === 0) {
        notes++;
        content.push(
          n['footnote']!.create(
            { id: `f${made}` },
            schema.text(`See A/${70 + (made % 9)}/174, para. ${made}.`),
          ),
        );
      }
      paras.push(
        n['paragraph']!.create({ id: `p${made}`, level: made % 4 === 3 ? 1 : 0 }, content),
      );
    }
    chapters.push(n['chapter']!.create({ id: `c${c}` }, paras));
  }
  return n['doc']!.create(null, [
    n['title']!.create(null, schema.text('Benchmark report')),
    ...chapters,
  ]);
}

function cpuMs(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface ExportBenchRow {
  format: string;
  medianCpuMs: number;
  bytes: number;
}

/** Median CPU per export of each format over `reps` repetitions (after one warm-up). */
export async function benchExports(doc: PMNode, reps: number): Promise<ExportBenchRow[]> {
  const formats: Array<[string, () => Promise<Buffer | string>]> = [
    ['docx manuscript', () => one('manuscript')],
    ['docx issued', () => one('issued')],
    [
      'akn',
      async () => {
        const o = outlineFromDoc(doc, DEFAULT_META);
        return toAkn(o, {
          generatedAt: new Date().toISOString(),
          fallbackName: 'bench',
          wordCount: wordCount(o),
        });
      },
    ],
  ];
  async function one(layout: 'manuscript' | 'issued') {
    const o = outlineFromDoc(doc, DEFAULT_META);
    return toDocx(o, {
      layout,
      option: 'clean',
      wordCount: wordCount(o),
      generatedAt: new Date().toISOString(),
    });
  }
  const rows: ExportBenchRow[] = [];
  for (const [format, run] of formats) {
    let bytes = (await run()).length; // warm-up
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const start = process.cpuUsage();
      bytes = (await run()).length;
      times.push(cpuMs(start));
    }
    rows.push({ format, medianCpuMs: median(times), bytes });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { reps: { type: 'string', default: '7' } } });
  const doc = benchReport(2000, 300);
  const rows = await benchExports(doc, Number(values.reps));
  console.log(
    `| Export of 2,000 paragraphs, 300 footnotes | CPU per export (median of ${values.reps}) | size |`,
  );
  console.log('| --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| ${r.format} | ${r.medianCpuMs.toFixed(0)} ms | ${(r.bytes / 1024).toFixed(0)} KiB |`,
    );
}
