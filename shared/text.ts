/**
 * The negotiated text of a paragraph: what the bracket scan (consensus.ts) reads. A footnote's
 * text counts where the footnote stands (its brackets are the negotiation's too); a cited
 * document symbol (the docref mark) is masked, so "[A/60/687]" pasted as a reference never
 * blocks agreement. Nothing here assumes one text node per paragraph.
 */
import type { Node as PMNode } from 'prosemirror-model';

/** Stands for a masked character (no bracket, no quotation mark). */
const MASK = '\u2022';
/** Stands for an inline node without text (a line break). */
const OBJECT = '\uFFFC';

export interface NegotiatedText {
  text: string;
  /** Document position of each character of `text` (-1 for an object placeholder). */
  at: number[];
}

/** `block` is a text block at document position `pos` (use -1 when positions do not matter). */
export function negotiatedText(block: PMNode, pos = -1): NegotiatedText {
  let text = '';
  const at: number[] = [];
  block.descendants((child, offset) => {
    const start = pos + 1 + offset;
    if (child.isText) {
      const t = child.text ?? '';
      const masked = child.marks.some((m) => m.type.name === 'docref');
      text += masked ? MASK.repeat(t.length) : t;
      for (let i = 0; i < t.length; i++) at.push(pos < 0 ? -1 : start + i);
      return false;
    }
    if (child.isLeaf) {
      text += OBJECT;
      at.push(-1);
    }
    return true;
  });
  return { text, at };
}
