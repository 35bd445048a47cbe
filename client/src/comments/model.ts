/**
 * Which threads the comments panel lists, in which order, and which "By State" filters it
 * offers. Pure: unit-tested without a browser.
 */
import type { ThreadView } from '../../../shared/comments.js';
import type { DocIndex } from '../report/docIndex.js';

export type Filter = 'all' | 'open' | 'resolved' | 'mine' | 'mentions' | `state:${string}`;

/** True when `thread` passes `filter` for the user `userId`. */
export function passes(thread: ThreadView, filter: Filter, userId: string): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'open':
      return thread.status === 'open';
    case 'resolved':
      return thread.status === 'resolved';
    case 'mine':
      return thread.author.id === userId || thread.messages.some((m) => m.author.id === userId);
    case 'mentions':
      return thread.messages.some((m) => m.mentions.includes(userId));
    default: {
      const state = filter.slice('state:'.length);
      return (
        thread.author.represents === state ||
        thread.messages.some((m) => m.author.represents === state)
      );
    }
  }
}

/** Threads in document order of their paragraphs (deleted paragraphs last), then by age. */
export function inDocumentOrder(threads: Iterable<ThreadView>, index: DocIndex): ThreadView[] {
  const at = (t: ThreadView) =>
    index.paragraphs.get(t.paragraphId)?.index ?? Number.MAX_SAFE_INTEGER;
  return [...threads].sort((a, b) => at(a) - at(b) || a.createdAt.localeCompare(b.createdAt));
}

/** Every State that wrote in a thread, in the order first met (one "By State" option each). */
export function statesIn(threads: Iterable<ThreadView>): string[] {
  const out: string[] = [];
  for (const t of threads) {
    for (const p of [t.author, ...t.messages.map((m) => m.author)]) {
      if (p.represents && !out.includes(p.represents)) out.push(p.represents);
    }
  }
  return out;
}
