/**
 * Document metadata: the masthead of an issued UN document (handbook UN-DOCUMENTS.md), kept
 * beside the text, never in it. Edited by the chair and the secretariat (roles.ts editMetadata)
 * in a form; the server validates every field here and refuses bad values (400).
 */

export const DISTRIBUTIONS = ['General', 'Limited', 'Restricted'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

/** The six official languages: the one the text was drafted in is its "Original". */
export const LANGUAGES = ['Arabic', 'Chinese', 'English', 'French', 'Russian', 'Spanish'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DOCUMENT_TYPES = [
  'report',
  'draft-resolution',
  'resolution',
  'conference-room-paper',
  'working-paper',
  'note',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const DOCUMENT_TYPE_LABELS: Readonly<Record<DocumentType, string>> = {
  report: 'Report',
  'draft-resolution': 'Draft resolution',
  resolution: 'Resolution',
  'conference-room-paper': 'Conference room paper',
  'working-paper': 'Working paper',
  note: 'Note',
};

export interface DocumentMetadata {
  /** Document symbol, e.g. A/70/174, A/AC.290/2021/CRP.2, A/C.1/70/L.45 ('' until assigned). */
  symbol: string;
  distribution: Distribution;
  /** Date of submission, YYYY-MM-DD ('' until set). */
  date: string;
  originalLanguage: Language;
  /** "Seventieth session" ('' when none). */
  session: string;
  /** "Agenda item 93" ('' when none). */
  agendaItem: string;
  documentType: DocumentType;
}

/** A document's metadata as stored, with who changed it last. */
export interface MetadataView extends DocumentMetadata {
  updatedAt: string | null;
  updatedBy: string | null;
}

export const DEFAULT_METADATA: DocumentMetadata = {
  symbol: '',
  distribution: 'General',
  date: '',
  originalLanguage: 'English',
  session: '',
  agendaItem: '',
  documentType: 'report',
};

/** The fields, in the order the form shows them. */
export const FIELDS: ReadonlyArray<keyof DocumentMetadata> = [
  'symbol',
  'distribution',
  'date',
  'originalLanguage',
  'session',
  'agendaItem',
  'documentType',
];

export const SYMBOL_MAX = 60;
export const LINE_MAX = 200;

/**
 * A UN document symbol: an organ series (A, S, E, …) then parts separated by "/", each letters,
 * digits and dots ("AC.290", "CRP.2", "L.45", "Rev.1").
 */
export const SYMBOL_PATTERN = /^[A-Z]{1,5}(\/[A-Za-z0-9][A-Za-z0-9.-]*)+$/;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(s: string): boolean {
  const m = DATE_PATTERN.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const oneOf = <T extends string>(list: readonly T[], v: unknown): v is T =>
  typeof v === 'string' && (list as readonly string[]).includes(v);

/** Checks a whole metadata record (every field required). The error names the field. */
export function validateMetadata(
  input: unknown,
): { ok: true; value: DocumentMetadata } | { ok: false; message: string } {
  if (typeof input !== 'object' || input === null)
    return { ok: false, message: 'Expected an object.' };
  const m = input as Record<string, unknown>;
  const unknown = Object.keys(m).find((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown !== undefined) return { ok: false, message: `${unknown}: not a metadata field.` };
  const str = (key: string) => (typeof m[key] === 'string' ? (m[key] as string).trim() : null);
  const symbol = str('symbol');
  if (symbol === null) return { ok: false, message: 'symbol: expected a string.' };
  if (symbol.length > SYMBOL_MAX)
    return { ok: false, message: `symbol: at most ${SYMBOL_MAX} characters.` };
  if (symbol !== '' && !SYMBOL_PATTERN.test(symbol))
    return {
      ok: false,
      message: 'symbol: not a UN document symbol (e.g. A/70/174, A/AC.290/2021/CRP.2).',
    };
  if (!oneOf(DISTRIBUTIONS, m['distribution']))
    return { ok: false, message: `distribution: one of ${DISTRIBUTIONS.join(', ')}.` };
  const date = str('date');
  if (date === null || (date !== '' && !validDate(date)))
    return { ok: false, message: 'date: a date as YYYY-MM-DD, or empty.' };
  if (!oneOf(LANGUAGES, m['originalLanguage']))
    return { ok: false, message: `originalLanguage: one of ${LANGUAGES.join(', ')}.` };
  const session = str('session');
  const agendaItem = str('agendaItem');
  for (const [key, v] of [
    ['session', session],
    ['agendaItem', agendaItem],
  ] as const) {
    if (v === null) return { ok: false, message: `${key}: expected a string.` };
    if (v.length > LINE_MAX)
      return { ok: false, message: `${key}: at most ${LINE_MAX} characters.` };
    if ([...v].some((c) => c.charCodeAt(0) < 0x20))
      return { ok: false, message: `${key}: one line of text.` };
  }
  if (!oneOf(DOCUMENT_TYPES, m['documentType']))
    return { ok: false, message: `documentType: one of ${DOCUMENT_TYPES.join(', ')}.` };
  return {
    ok: true,
    value: {
      symbol,
      distribution: m['distribution'] as Distribution,
      date,
      originalLanguage: m['originalLanguage'] as Language,
      session: session!,
      agendaItem: agendaItem!,
      documentType: m['documentType'] as DocumentType,
    },
  };
}

/** The masthead lines under the organ, e.g. ["Seventieth session", "Agenda item 93"]. */
export function sessionLines(m: DocumentMetadata): string[] {
  return [m.session, m.agendaItem].filter((l) => l !== '');
}
