/**
 * The last revision's numbers of a report, for the "13 (c) in Rev.2, now 14 (c)" line of a
 * thread whose paragraph moved since. Loaded once per report page, and again when a revision
 * event arrives (session.ts hands it over).
 */
import { signal } from '@preact/signals';
import { type PreviousNumber, previousNumbers } from '../../../shared/bis-ter.js';
import { getRevision, listRevisions } from './api.js';

export interface LastRevision {
  reportId: string;
  label: string;
  /** Node id → its citation in that revision. */
  citations: ReadonlyMap<string, string>;
  /** The report keeps that revision's numbers (5 bis …) until the next one. */
  keepNumbers: boolean;
  previous: ReadonlyMap<string, PreviousNumber>;
}

export const lastRevision = signal<LastRevision | null>(null);

let loading: string | null = null;
/** A load was asked for while one was under way: its answer may predate what was asked about. */
let again = false;

/** Loads the report's last revision's numbers (nothing when it has none). */
export async function loadLastRevision(reportId: string): Promise<void> {
  if (loading === reportId) {
    again = true;
    return;
  }
  loading = reportId;
  try {
    do {
      again = false;
      await loadOnce(reportId);
    } while (again && loading === reportId);
  } finally {
    if (loading === reportId) loading = null;
  }
}

async function loadOnce(reportId: string): Promise<void> {
  try {
    const { revisions, keepNumbers } = await listRevisions(reportId);
    const last = revisions.at(-1);
    if (!last) {
      lastRevision.value = null;
      return;
    }
    const opened = await getRevision(last.id);
    lastRevision.value = {
      reportId,
      label: last.label,
      citations: new Map(opened.nodes.map((n) => [n.id, n.citation])),
      keepNumbers,
      previous: previousNumbers(opened.nodes),
    };
  } catch {
    // Not essential: threads show today's number only.
  }
}
