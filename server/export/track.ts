/**
 * A comparison of two versions of a document as one outline with tracked changes, for a .docx
 * whose differences are real Word insertions and deletions: accepting all gives the later text,
 * rejecting all the earlier one. Blocks are aligned by their stable ids; a kept block's text is
 * compared word by word, its number too (numbers follow the later version once accepted).
 * Known limits: a moved paragraph is shown in its new place only (rejecting does not move it
 * back); an added or removed footnote's reference is not itself tracked (its text is).
 */
import type { Block, Footnote, Inline, Outline, Run } from '../../shared/outline.js';

/** Footnote references become one private-use character each while texts are compared. */
const NOTE_BASE = 0xe000;

interface Segment {
  start: number;
  end: number;
  run: Run | null; // null: a footnote reference
  footnote?: number;
}

interface Flat {
  text: string;
  segments: Segment[];
}

function flatten(inlines: readonly Inline[], noteChar: (n: number) => string): Flat {
  let text = '';
  const segments: Segment[] = [];
  for (const i of inlines) {
    const start = text.length;
    if ('text' in i) {
      text += i.text;
      segments.push({ start, end: text.length, run: i });
    } else if ('footnote' in i) {
      text += noteChar(i.footnote);
      segments.push({ start, end: text.length, run: null, footnote: i.footnote });
    } else {
      text += '\n';
      segments.push({ start, end: text.length, run: { text: '\n' } });
    }
  }
  return { text, segments };
}

/** The inlines covering [a, b) of a flattened text, with `change` set on the text. */
function slice(flat: Flat, a: number, b: number, change?: 'ins' | 'del'): Inline[] {
  const out: Inline[] = [];
  for (const s of flat.segments) {
    if (s.end <= a || s.start >= b) continue;
    if (s.run === null) {
      // A reference to a note that is in both versions, or only in the later one.
      if (change !== 'del') out.push({ footnote: s.footnote! });
      continue;
    }
    const text = s.run.text.slice(Math.max(a, s.start) - s.start, Math.min(b, s.end) - s.start);
    if (text === '\n' && !change) out.push({ lineBreak: true });
    else if (text) out.push(change ? { ...s.run, text, change } : { ...s.run, text });
  }
  return out;
}

/** Words, spaces and note characters, each a token. */
function tokens(text: string): string[] {
  return text.split(/(\s+|[\ue000-\uf8ff])/).filter(Boolean);
}

export interface DiffPart {
  kind: 'same' | 'ins' | 'del';
  text: string;
}

/** Past this many tokens on both sides the whole text is shown as replaced. */
const MAX_CELLS = 4_000_000;

/** Word-level differences (longest common subsequence of tokens); deletions before insertions. */
export function diffWords(before: string, after: string): DiffPart[] {
  if (before === after) return before ? [{ kind: 'same', text: before }] : [];
  const a = tokens(before);
  const b = tokens(after);
  const out: DiffPart[] = [];
  const push = (kind: DiffPart['kind'], text: string) => {
    const last = out[out.length - 1];
    if (last?.kind === kind) last.text += text;
    else out.push({ kind, text });
  };
  if (a.length * b.length > MAX_CELLS) {
    if (before) push('del', before);
    if (after) push('ins', after);
    return out;
  }
  // lcs[i][j]: length of the LCS of a[i..] and b[j..].
  const w = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i * w + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * w + j + 1]! + 1
          : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
  let i = 0;
  let j = 0;
  let del = '';
  let ins = '';
  const flush = () => {
    if (del) push('del', del);
    if (ins) push('ins', ins);
    del = '';
    ins = '';
  };
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      flush();
      push('same', a[i]!);
      i++;
      j++;
    } else if (j >= b.length || (i < a.length && lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
      del += a[i++];
    } else {
      ins += b[j++];
    }
  }
  flush();
  return out;
}

/** The later inlines with the earlier ones' differences tracked. */
function trackInlines(
  earlier: readonly Inline[],
  later: readonly Inline[],
  earlierNote: (n: number) => string,
  laterNote: (n: number) => string,
): Inline[] {
  const e = flatten(earlier, earlierNote);
  const l = flatten(later, laterNote);
  const out: Inline[] = [];
  let ea = 0;
  let la = 0;
  for (const part of diffWords(e.text, l.text)) {
    const n = part.text.length;
    if (part.kind === 'same') {
      out.push(...slice(l, la, la + n));
      ea += n;
      la += n;
    } else if (part.kind === 'del') {
      out.push(...slice(e, ea, ea + n, 'del'));
      ea += n;
    } else {
      out.push(...slice(l, la, la + n, 'ins'));
      la += n;
    }
  }
  return out;
}

const keyOf = (b: Block) => (b.id ? `${b.kind}:${b.id}` : null);

const whole = (inlines: readonly Inline[], change: 'ins' | 'del'): Inline[] =>
  inlines.flatMap((i): Inline[] => {
    if ('text' in i) return [{ ...i, change }];
    if ('footnote' in i) return change === 'ins' ? [i] : [];
    return [];
  });

function wholeBlock(b: Block, change: 'ins' | 'del'): Block {
  return {
    ...b,
    change,
    inlines: whole(b.inlines, change),
    labelRuns: b.label ? [{ text: b.label, change }] : [],
  };
}

/** `later` with its differences from `earlier` as tracked changes (numbers and footnotes of `later`). */
export function trackedOutline(earlier: Outline, later: Outline): Outline {
  // One private character per footnote id, shared by both versions, so a kept note compares equal.
  const chars = new Map<string, string>();
  const charFor = (f: Footnote | undefined, n: number, side: string) => {
    const key = f?.id ?? `${side}#${n}`;
    let c = chars.get(key);
    if (!c) {
      c = String.fromCharCode(NOTE_BASE + chars.size);
      chars.set(key, c);
    }
    return c;
  };
  const earlierNote = (n: number) => charFor(earlier.footnotes[n - 1], n, 'e');
  const laterNote = (n: number) => charFor(later.footnotes[n - 1], n, 'l');

  const laterKeys = new Set(later.blocks.map(keyOf).filter((k): k is string => k !== null));
  const earlierAt = new Map<string, number>();
  earlier.blocks.forEach((b, i) => {
    const k = keyOf(b);
    if (k && !earlierAt.has(k)) earlierAt.set(k, i);
  });
  const gone = (b: Block) => {
    const k = keyOf(b);
    return k === null || !laterKeys.has(k);
  };

  const blocks: Block[] = [];
  let next = 0; // the first earlier block not yet placed
  for (const lb of later.blocks) {
    const k = keyOf(lb);
    const at = k ? earlierAt.get(k) : undefined;
    if (at === undefined || at < next) {
      blocks.push(wholeBlock(lb, 'ins'));
      continue;
    }
    for (; next < at; next++) {
      const eb = earlier.blocks[next]!;
      if (gone(eb)) blocks.push(wholeBlock(eb, 'del'));
    }
    const eb = earlier.blocks[at]!;
    next = at + 1;
    blocks.push({
      ...lb,
      inlines: trackInlines(eb.inlines, lb.inlines, earlierNote, laterNote),
      ...(eb.label !== lb.label
        ? {
            labelRuns: [
              ...(eb.label ? [{ text: eb.label, change: 'del' as const }] : []),
              ...(lb.label ? [{ text: lb.label, change: 'ins' as const }] : []),
            ],
          }
        : {}),
    });
  }
  for (; next < earlier.blocks.length; next++) {
    const eb = earlier.blocks[next]!;
    if (gone(eb)) blocks.push(wholeBlock(eb, 'del'));
  }

  const earlierNotes = new Map(earlier.footnotes.filter((f) => f.id).map((f) => [f.id, f]));
  const footnotes = later.footnotes.map((f) => {
    const before = f.id ? earlierNotes.get(f.id) : undefined;
    const runs = before
      ? trackInlines(before.runs, f.runs, earlierNote, laterNote)
      : whole(f.runs, 'ins');
    return { ...f, runs: runs.filter((r): r is Run => 'text' in r) };
  });
  const title = trackInlines(earlier.title, later.title, earlierNote, laterNote).filter(
    (r): r is Run => 'text' in r,
  );
  return { ...later, title, blocks, footnotes };
}
