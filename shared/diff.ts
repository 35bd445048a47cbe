/**
 * Word-level differences between two texts, with the `diff` library: a replaced word reads as one
 * deletion and one insertion, and the parts rebuild both texts exactly (whitespace included).
 * Proposals (client/src/comments) and revision comparisons use it alike.
 *
 * jsdiff's diffWordsWithSpace is exact but may keep a lone space between two changes as common
 * text ("del [Consistent", " ", "ins obligations" …); such spaces are folded into the change
 * around them, so a change reads as one deletion then one insertion.
 */
import { diffWordsWithSpace } from 'diff';

export interface DiffPart {
  kind: 'same' | 'ins' | 'del';
  text: string;
}

/** Beyond this many edits (words) the whole text is shown as replaced: no one reads more. */
const MAX_EDITS = 5000;

export function wordDiff(before: string, after: string): DiffPart[] {
  const out: DiffPart[] = [];
  const push = (kind: DiffPart['kind'], text: string) => {
    if (!text) return;
    const last = out[out.length - 1];
    if (last && last.kind === kind) last.text += text;
    else out.push({ kind, text });
  };
  if (before === after) {
    push('same', before);
    return out;
  }
  const changes = diffWordsWithSpace(before, after, { maxEditLength: MAX_EDITS });
  if (!changes) {
    push('del', before);
    push('ins', after);
    return out;
  }
  // A run of changes (with only whitespace kept between them) becomes one deletion, one insertion.
  let del = '';
  let ins = '';
  const flush = () => {
    push('del', del);
    push('ins', ins);
    del = '';
    ins = '';
  };
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    if (c.removed) del += c.value;
    else if (c.added) ins += c.value;
    else if ((del || ins) && /^\s+$/.test(c.value) && i + 1 < changes.length) {
      del += c.value;
      ins += c.value;
    } else {
      flush();
      push('same', c.value);
    }
  }
  flush();
  return out;
}
