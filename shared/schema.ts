/**
 * The ProseMirror schema of a Concord report, shared by the browser editor and the server
 * (which opens reports headlessly through y-prosemirror to create, validate and export them).
 *
 * Shape: a title block, then chapters; each chapter is a heading followed by paragraphs.
 * Paragraphs are flat siblings with a `level`: level 0 is a numbered paragraph (1., 2., …,
 * continuous through the whole report), levels 1–3 are sub-paragraphs ((a), (i), a.) that belong
 * to the nearest numbered paragraph above them. Numbers are never stored: see numbering.ts.
 */
import { type DOMOutputSpec, type Node as PMNode, Schema } from 'prosemirror-model';

/**
 * Bump when the schema changes in a way an older client could damage (an older client would
 * silently drop nodes or attributes it does not know). The server refuses older clients.
 */
export const SCHEMA_VERSION = 1;

/** Name of the Y.XmlFragment that holds the report inside the Y.Doc. Written only here. */
export const REPORT_FRAGMENT = 'report';

/** Deepest sub-paragraph level: (a) → (i) → a. */
export const MAX_PARAGRAPH_LEVEL = 3;

/** Reads an attribute of a parsed DOM element without naming DOM types (shared/ has no DOM). */
function attrOf(dom: unknown, name: string): string | null {
  return (dom as { getAttribute(n: string): string | null }).getAttribute(name);
}

function idAttr(node: PMNode): Record<string, string> {
  const id = node.attrs['id'] as string | null;
  return id ? { 'data-id': id } : {};
}

export const schema = new Schema({
  nodes: {
    doc: { content: 'title chapter+' },
    title: {
      content: 'inline*',
      marks: 'em strong',
      defining: true,
      parseDOM: [{ tag: 'h1' }],
      toDOM: (): DOMOutputSpec => ['h1', { class: 'report-title' }, 0],
    },
    chapter: {
      attrs: { id: { default: null } },
      content: 'chapter_heading paragraph*',
      defining: true,
      parseDOM: [{ tag: 'section', getAttrs: (dom) => ({ id: attrOf(dom, 'data-id') }) }],
      toDOM: (node): DOMOutputSpec => ['section', { class: 'chapter', ...idAttr(node) }, 0],
    },
    chapter_heading: {
      content: 'inline*',
      marks: 'em strong',
      defining: true,
      parseDOM: [{ tag: 'h2' }],
      toDOM: (): DOMOutputSpec => ['h2', { class: 'chapter-heading' }, 0],
    },
    paragraph: {
      attrs: { id: { default: null }, level: { default: 0 } },
      content: 'inline*',
      marks: 'em strong',
      parseDOM: [
        {
          tag: 'p',
          getAttrs: (dom) => {
            const level = Number(attrOf(dom, 'data-level') ?? 0);
            return {
              id: attrOf(dom, 'data-id'),
              level: Number.isInteger(level)
                ? Math.min(Math.max(level, 0), MAX_PARAGRAPH_LEVEL)
                : 0,
            };
          },
        },
      ],
      toDOM: (node): DOMOutputSpec => [
        'p',
        { class: 'para', 'data-level': String(node.attrs['level']), ...idAttr(node) },
        0,
      ],
    },
    text: { group: 'inline' },
    hard_break: {
      inline: true,
      group: 'inline',
      selectable: false,
      parseDOM: [{ tag: 'br' }],
      toDOM: (): DOMOutputSpec => ['br'],
    },
  },
  marks: {
    em: {
      parseDOM: [{ tag: 'i' }, { tag: 'em' }, { style: 'font-style=italic' }],
      toDOM: (): DOMOutputSpec => ['em', 0],
    },
    strong: {
      parseDOM: [{ tag: 'strong' }, { tag: 'b' }, { style: 'font-weight=bold' }],
      toDOM: (): DOMOutputSpec => ['strong', 0],
    },
  },
});

/** Node types that carry a stable `id` attribute (what comments, statuses and positions target). */
export const IDENTIFIED_NODE_TYPES: ReadonlySet<string> = new Set(['chapter', 'paragraph']);
