/**
 * What text people type may contain, as JSON-schema patterns (the routes' schemas use them; Ajv
 * compiles them with the `u` flag) and as checks for the client. A lone UTF-16 surrogate is
 * refused, never turned into U+FFFD on the way to storage.
 */

/** Control characters, line and paragraph separators, lone surrogates. */
const NOT_IN_LINE = '\\p{Cc}\\p{Zl}\\p{Zp}\\p{Cs}';
/** The same, minus the tab and line breaks prose may hold. */
const NOT_IN_PROSE = '\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F\\p{Cs}';

/** Names and titles: one line of printable text, not blank. */
export const LINE_PATTERN = `^[^${NOT_IN_LINE}]*[^\\s${NOT_IN_LINE}][^${NOT_IN_LINE}]*$`;
/** A line that may be blank (blank means none, e.g. whom a chair represents). */
export const MAYBE_BLANK_LINE_PATTERN = `^[^${NOT_IN_LINE}]*$`;
/** Comments, notes, statements: several lines, not blank, no other control characters. */
export const PROSE_PATTERN = `^[^${NOT_IN_PROSE}]*[^\\s${NOT_IN_PROSE}][^${NOT_IN_PROSE}]*$`;

/** What a 400 says when a value breaks one of these patterns. */
export const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [LINE_PATTERN]:
    'must be one line of text, not blank, without control characters or unpaired surrogates',
  [MAYBE_BLANK_LINE_PATTERN]:
    'must be one line of text, without control characters or unpaired surrogates',
  [PROSE_PATTERN]:
    'must be text, not blank, without control characters (other than tabs and line breaks) or unpaired surrogates',
};

const LINE_RE = new RegExp(LINE_PATTERN, 'u');
const PROSE_RE = new RegExp(PROSE_PATTERN, 'u');

export const isLine = (s: string): boolean => LINE_RE.test(s);
export const isProse = (s: string): boolean => PROSE_RE.test(s);
