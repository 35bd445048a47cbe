/** Word diff (LCS over words and the spaces between them) of a paragraph and a proposal. */

export interface DiffPart {
  kind: 'same' | 'ins' | 'del';
  text: string;
}

const tokens = (s: string): string[] => s.split(/(\s+)/).filter((t) => t.length > 0);

/** Too many cells for the table: show the whole text as replaced. */
const MAX_CELLS = 4_000_000;

export function wordDiff(before: string, after: string): DiffPart[] {
  const a = tokens(before);
  const b = tokens(after);
  const out: DiffPart[] = [];
  const push = (kind: DiffPart['kind'], text: string) => {
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text;
    else out.push({ kind, text });
  };
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) {
    if (before) push('del', before);
    if (after) push('ins', after);
    return out;
  }
  const w = b.length + 1;
  // lcs[i*w+j]: the LCS length of a[i..] and b[j..].
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * w + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * w + j + 1]! + 1
          : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      push('same', a[i]!);
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) {
      push('del', a[i++]!);
    } else {
      push('ins', b[j++]!);
    }
  }
  while (i < a.length) push('del', a[i++]!);
  while (j < b.length) push('ins', b[j++]!);
  return out;
}
