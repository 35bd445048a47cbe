/**
 * Mentions in a message: "@" followed by a member's display name. The browser completes what
 * is being typed after an "@" (mentionQuery, mentionMatches); the server reads who a sent text
 * names (mentionedIn), among the members who may see the thread, and notifies them.
 */

export interface Mentionable {
  userId: string;
  displayName: string;
  represents?: string | null;
}

/** Longest "@query" completed (a display name is at most 120 characters; queries stay short). */
export const MENTION_QUERY_MAX = 40;

/** Lower case, without accents: "Ángela" and "angela" compare equal. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('en');
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/**
 * The "@" being typed at `caret`: where its "@" is and what follows it up to the caret. An "@"
 * counts at the start of the text or after a space or an opening bracket or quote (not inside
 * an e-mail address); the query is one line, at most MENTION_QUERY_MAX characters.
 */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const from = Math.max(0, caret - MENTION_QUERY_MAX - 1);
  for (let i = caret - 1; i >= from; i--) {
    const ch = text[i]!;
    if (ch === '\n') return null;
    if (ch !== '@') continue;
    const before = i > 0 ? text[i - 1]! : ' ';
    if (!/[\s([{"'“‘«]/u.test(before)) return null;
    return { start: i, query: text.slice(i + 1, caret) };
  }
  return null;
}

/**
 * The candidates a query may mean, best first: those whose name starts with it, then those with
 * a word of their name, or their State, starting with it. An empty query offers everyone.
 */
export function mentionMatches<T extends Mentionable>(
  candidates: readonly T[],
  query: string,
  limit = 8,
): T[] {
  const q = fold(query.trimStart());
  const scored: Array<{ c: T; score: number }> = [];
  for (const c of candidates) {
    const name = fold(c.displayName);
    let score = -1;
    if (name.startsWith(q)) score = 0;
    else if (name.split(/[\s()·,.-]+/).some((w) => w.startsWith(q))) score = 1;
    else if (c.represents && fold(c.represents).startsWith(q)) score = 2;
    if (score >= 0) scored.push({ c, score });
  }
  scored.sort((a, b) => a.score - b.score || a.c.displayName.localeCompare(b.c.displayName));
  return scored.slice(0, limit).map((s) => s.c);
}

/**
 * The ids of the candidates that `text` names as "@Display Name" (case and accents aside), the
 * name not running on into a letter or digit ("@Ana" is not "@Anastasia"). A longer name wins
 * where two overlap ("@Ana Souza" names Ana Souza, not Ana).
 */
export function mentionedIn(text: string, candidates: readonly Mentionable[]): string[] {
  const folded = fold(text);
  // fold() can change lengths (a decomposed accent is removed): compare on the folded text only.
  const taken: Array<[number, number]> = [];
  const found: string[] = [];
  const byLength = [...candidates].sort((a, b) => b.displayName.length - a.displayName.length);
  for (const c of byLength) {
    const needle = `@${fold(c.displayName)}`;
    if (needle.length < 2) continue;
    let at = folded.indexOf(needle);
    while (at >= 0) {
      const end = at + needle.length;
      const next = folded[end];
      const free = !taken.some(([s, e]) => at < e && end > s);
      if (free && (next === undefined || !WORD_CHAR.test(next))) {
        taken.push([at, end]);
        if (!found.includes(c.userId)) found.push(c.userId);
      }
      at = folded.indexOf(needle, at + 1);
    }
  }
  return found;
}
