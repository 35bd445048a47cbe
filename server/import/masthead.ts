/**
 * The masthead lines of a UN document (handbook UN-DOCUMENTS.md) as an issued document prints
 * them ("Distr.: Limited", "21 October 2015", "Original: English and Russian", "Seventieth
 * session", "Agenda item 92") or as Concord's manuscript block writes them ("Symbol: …",
 * "Date: 2015-10-21"). One line at a time: what it sets, or null when it is not a masthead line.
 */
import { DISTRIBUTIONS, type DocumentMetadata, LANGUAGES } from '../../shared/metadata.js';
import { isSymbol } from './source.js';

export type MastheadLine =
  | { set: Partial<DocumentMetadata>; unsure?: string }
  /** A masthead line Concord has no field for (organ, committee, "United Nations"). */
  | { skip: string };

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

const ORGANS =
  /^(?:Organ:\s*)?(General Assembly|Security Council|Economic and Social Council|Human Rights Council|Trusteeship Council|Conference on Disarmament)$/i;

/** "21 October 2015" or "2015-10-21" as YYYY-MM-DD, or null. */
export function parseDate(s: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const long = /^(\d{1,2}) ([A-Za-z]+) (\d{4})$/.exec(s);
  let y: number;
  let m: number;
  let d: number;
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (long) {
    m = MONTHS.indexOf(long[2]!.toLowerCase()) + 1;
    if (m === 0) return null;
    [y, d] = [Number(long[3]), Number(long[1])];
  } else return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

export function mastheadLine(raw: string): MastheadLine | null {
  const line = raw.trim();
  if (/^United Nations$/i.test(line)) return { skip: line };
  if (ORGANS.test(line)) return { skip: line };
  if (
    /^(First|Second|Third|Fourth|Fifth|Sixth|Special Political and Decolonization) Committee$/i.test(
      line,
    )
  )
    return { skip: line };
  if (/^Word count:/i.test(line)) return { skip: line };
  const symbol = /^(?:Symbol:\s*)?(\S+)$/.exec(line);
  if (symbol && isSymbol(symbol[1]!)) return { set: { symbol: symbol[1]! } };
  if (/^Symbol:\s*\(to be assigned\)$/i.test(line)) return { set: {} };
  const distr = /^Distr(?:\.|ibution):?\s*(\w+)$/i.exec(line);
  if (distr) {
    const d = DISTRIBUTIONS.find((x) => x.toLowerCase() === distr[1]!.toLowerCase());
    if (d) return { set: { distribution: d } };
  }
  const date = parseDate(line.replace(/^Date:\s*/i, ''));
  if (date) return { set: { date } };
  const original = /^Original:\s*(.+)$/i.exec(line);
  if (original) {
    const named = LANGUAGES.filter((l) => new RegExp(`\\b${l}\\b`, 'i').test(original[1]!));
    if (named.length === 0) return { skip: line };
    return {
      set: { originalLanguage: named[0]! },
      ...(named.length > 1
        ? { unsure: `"${line}": Concord keeps one original language, ${named[0]}.` }
        : {}),
    };
  }
  if (LANGUAGES.some((l) => l.toLowerCase() === line.toLowerCase())) return { skip: line };
  // Concord's manuscript block labels both session lines "Session:".
  const labelled = /^Session:\s*(.{1,200})$/.exec(line);
  if (labelled) {
    const value = labelled[1]!.trim();
    return /^(Agenda item|Item) /i.test(value)
      ? { set: { agendaItem: value } }
      : { set: { session: value } };
  }
  const session = /^((?:[A-Z][a-z-]+ )+session)$/.exec(line);
  if (session && session[1]!.length <= 200) return { set: { session: session[1]! } };
  if (/^(Agenda item|Item) [\w.() ]{1,40}$/i.test(line) && line.length <= 200)
    return { set: { agendaItem: line.replace(/^Agenda:\s*/i, '') } };
  return null;
}
