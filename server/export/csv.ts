/** CSV downloads (the audit log, the comment threads): RFC 4180 cells, CRLF lines, formulas defused. */
import type { ThreadView } from '../../shared/comments.js';
import type { AuditRecord } from '../storage/types.js';

/** One CSV cell, quoted as needed; formula-like cells are defused with a leading quote. */
export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // Cells that a spreadsheet would run as a formula are prefixed with a quote.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const AUDIT_COLUMNS = [
  'id',
  'at',
  'actor',
  'action',
  'target',
  'detail',
  'ip',
  'requestId',
] as const;

export function auditCsv(rows: AuditRecord[]): string {
  return (
    [
      AUDIT_COLUMNS.join(','),
      ...rows.map((r) => AUDIT_COLUMNS.map((c) => csvCell(r[c])).join(',')),
    ].join('\r\n') + '\r\n'
  );
}

const THREAD_COLUMNS = [
  'threadId',
  'paragraph',
  'paragraphId',
  'kind',
  'visibility',
  'status',
  'quote',
  'proposal',
  'messageId',
  'author',
  'state',
  'time',
  'text',
  'deleted',
] as const;

/** One row per message; `numbers` gives each paragraph's citation now ("deleted" if gone). */
export function threadsCsv(threads: ThreadView[], numbers: Map<string, string>): string {
  const rows = threads.flatMap((t) =>
    t.messages.map((m) => ({
      threadId: t.id,
      paragraph: numbers.get(t.paragraphId) ?? 'deleted',
      paragraphId: t.paragraphId,
      kind: t.kind,
      visibility: t.visibility,
      status: t.status,
      quote: t.quote,
      proposal: t.proposal,
      messageId: m.id,
      author: m.author.name,
      state: m.author.represents,
      time: m.createdAt,
      text: m.body,
      deleted: m.deleted ? 'yes' : '',
    })),
  );
  return `${[
    THREAD_COLUMNS.join(','),
    ...rows.map((r) => THREAD_COLUMNS.map((c) => csvCell(r[c])).join(',')),
  ].join('\r\n')}\r\n`;
}
