/**
 * The italic lead words of resolution paragraphs (handbook UN-DOCUMENTS.md): a preambular
 * paragraph opens with a participle or adjective (*Recalling also*, *Bearing in mind*, *Deeply
 * concerned*), an operative paragraph with a verb in the present tense (*Welcomes*, *Calls
 * upon*, *Also requests*). Used to italicise them when the source (plain text) lost the italics.
 */
import type { Inline } from '../../shared/outline.js';

const PREAMBLE_ADJECTIVES = new Set([
  'aware',
  'mindful',
  'conscious',
  'convinced',
  'concerned',
  'alarmed',
  'determined',
  'desirous',
  'cognizant',
  'guided',
  'encouraged',
  'gravely',
  'deeply',
  'seriously',
  'fully',
  'further',
  'also',
  'reiterating',
  'noting',
]);
/** Words that continue a preambular lead after its first word. */
const PREAMBLE_CONTINUES = new Set([
  'also',
  'further',
  'again',
  'in',
  'mind',
  'note',
  'concern',
  'deep',
  'grave',
  'with',
  'appreciation',
  'satisfaction',
  'great',
  'serious',
  'concerned',
  'alarmed',
  'aware',
  'convinced',
]);
const OPERATIVE_ADVERBS = new Set(['also', 'further', 'again', 'strongly', 'once', 'firmly']);
const OPERATIVE_CONTINUES = new Set([
  'upon',
  'note',
  'forward',
  'its',
  'deep',
  'grave',
  'concern',
  'appreciation',
  'satisfaction',
  'again',
]);

function words(text: string): Array<{ word: string; end: number }> {
  const out: Array<{ word: string; end: number }> = [];
  for (const m of text.matchAll(/[A-Za-z-]+/g)) {
    // Stop at the first punctuation other than space between words.
    const before = text.slice(out.length ? out[out.length - 1]!.end : 0, m.index);
    if (out.length && /[^\s]/.test(before)) break;
    out.push({ word: m[0].toLowerCase(), end: m.index + m[0].length });
    if (out.length >= 5) break;
  }
  return out;
}

/** Length of the lead phrase of a preambular paragraph's text, 0 when none is recognised. */
export function preambleLead(text: string): number {
  const w = words(text);
  const first = w[0];
  if (!first || !/^[A-Z]/.test(text)) return 0;
  const opens = /ing$/.test(first.word) || PREAMBLE_ADJECTIVES.has(first.word);
  if (!opens) return 0;
  let end = first.end;
  for (let i = 1; i < w.length; i++) {
    const prev = w[i - 1]!.word;
    const anyNext = prev === 'having' || (i === 1 && /ly$/.test(prev));
    if (!anyNext && !PREAMBLE_CONTINUES.has(w[i]!.word)) break;
    end = w[i]!.end;
  }
  return end;
}

/** Length of the lead verb phrase of an operative paragraph's text, 0 when none is recognised. */
export function operativeLead(text: string): number {
  const w = words(text);
  if (!w[0] || !/^[A-Z]/.test(text)) return 0;
  let i = 0;
  while (i < 2 && w[i] && OPERATIVE_ADVERBS.has(w[i]!.word)) i++;
  const verb = w[i];
  if (!verb || !/^[a-z]+s$/.test(verb.word) || verb.word.length < 4) return 0;
  let end = verb.end;
  for (let j = i + 1; j < w.length && OPERATIVE_CONTINUES.has(w[j]!.word); j++) end = w[j]!.end;
  return end;
}

/** The inlines with their first `n` characters in italics (unless some are already). */
export function italicise(inlines: readonly Inline[], n: number): Inline[] {
  if (n <= 0) return [...inlines];
  const out: Inline[] = [];
  let left = n;
  for (const i of inlines) {
    if (left <= 0 || !('text' in i)) {
      out.push(i);
      continue;
    }
    if (i.text.length <= left) {
      out.push({ ...i, em: true });
      left -= i.text.length;
    } else {
      out.push({ ...i, text: i.text.slice(0, left), em: true }, { ...i, text: i.text.slice(left) });
      left = 0;
    }
  }
  return out;
}

/** True when the paragraph already opens in italics (the source kept them). */
export function opensItalic(inlines: readonly Inline[]): boolean {
  const first = inlines.find((i) => 'text' in i && /\S/.test(i.text));
  return !!first && 'text' in first && !!first.em;
}
