/**
 * The ProseMirror schema of a Concord document, shared by the browser editor and the server
 * (which opens documents headlessly through y-prosemirror to create, validate and export them).
 *
 * Two document types share one schema; the structure says which a document is:
 * - a report: title, unnumbered front matter blocks (letter of transmittal, foreword, summary),
 *   chapters (I., II.) holding paragraphs and then optional lettered sections (A., B.), annexes;
 * - a resolution: title, a preamble and an operative part, annexes.
 * Text lives in one paragraph type everywhere; its container gives its role (front matter and
 * preamble: unnumbered; body, operative part, each annex: numbered). A paragraph's `level` makes
 * it a sub-paragraph ((a) → (i) → a. → i.) of the nearest level-0 paragraph above it.
 * Footnotes are inline nodes inside the text with their own editable text; a document reference
 * (a cited symbol such as A/60/687) is a mark, never taken for a negotiation bracket.
 * Numbers are never stored: see numbering.ts.
 *
 * Every node type that can be commented on, given a status or cited has an `id` attribute;
 * identifiedKinds() lists them, so other code does not hard-code node names.
 */
import {
  type DOMOutputSpec,
  type Mark,
  type NodeType,
  type Node as PMNode,
  Schema,
} from 'prosemirror-model';

/**
 * Bump when the schema changes in a way an older client could damage (an older client would
 * silently drop nodes or attributes it does not know). The server refuses older clients, and
 * upgrades stored documents on load (upgrade.ts).
 * 1: title, chapters, paragraphs (levels 0–3).
 * 2: front matter, sections, annexes, footnotes, document references, resolutions, level 4.
 */
export const SCHEMA_VERSION = 2;

/** Name of the Y.XmlFragment that holds the document inside the Y.Doc. Written only here. */
export const REPORT_FRAGMENT = 'report';

/** Deepest sub-paragraph level: (a) → (i) → a. → i. */
export const MAX_PARAGRAPH_LEVEL = 4;

/** Reads an attribute of a parsed DOM element without naming DOM types (shared/ has no DOM). */
function attrOf(dom: unknown, name: string): string | null {
  return (dom as { getAttribute(n: string): string | null }).getAttribute(name);
}

function idAttr(node: PMNode): Record<string, string> {
  const id = node.attrs['id'] as string | null;
  return id ? { 'data-id': id } : {};
}

/** A paragraph level from anything (a stored attribute, a parsed DOM value), clamped. */
export function clampLevel(value: unknown): number {
  const level = Number(value ?? 0);
  return Number.isInteger(level) ? Math.min(Math.max(level, 0), MAX_PARAGRAPH_LEVEL) : 0;
}

const TEXT_MARKS = 'em strong docref';

/** A heading of a container (chapter, section, annex, front matter block): inline text. */
function heading(tag: string, cls: string) {
  return {
    content: 'inline*',
    marks: TEXT_MARKS,
    defining: true,
    parseDOM: [{ tag: `${tag}.${cls}` }],
    toDOM: (): DOMOutputSpec => [tag, { class: cls }, 0],
  };
}

/** An identified block container rendered as `<tag class=cls data-id>`. */
function container(content: string, tag: string, cls: string) {
  return {
    attrs: { id: { default: null } },
    content,
    defining: true,
    parseDOM: [
      { tag: `${tag}.${cls}`, getAttrs: (dom: unknown) => ({ id: attrOf(dom, 'data-id') }) },
    ],
    toDOM: (node: PMNode): DOMOutputSpec => [tag, { class: cls, ...idAttr(node) }, 0],
  };
}

export const schema = new Schema({
  nodes: {
    doc: { content: 'title front_matter* (chapter+ | preamble operative) annex*' },
    title: {
      content: 'inline*',
      marks: TEXT_MARKS,
      defining: true,
      parseDOM: [{ tag: 'h1' }],
      toDOM: (): DOMOutputSpec => ['h1', { class: 'report-title' }, 0],
    },
    front_matter: container('front_heading paragraph+', 'section', 'front-matter'),
    front_heading: heading('h2', 'front-heading'),
    chapter: {
      ...container('chapter_heading paragraph* section*', 'section', 'chapter'),
      // Any other <section> (v1 HTML had chapters as plain ones); the classed rules win.
      parseDOM: [
        {
          tag: 'section',
          priority: 40,
          getAttrs: (dom: unknown) => ({ id: attrOf(dom, 'data-id') }),
        },
      ],
    },
    chapter_heading: {
      ...heading('h2', 'chapter-heading'),
      parseDOM: [{ tag: 'h2', priority: 40 }],
    },
    section: container('section_heading paragraph*', 'section', 'subsection'),
    section_heading: heading('h3', 'section-heading'),
    annex: container('annex_heading paragraph* section*', 'section', 'annex'),
    annex_heading: heading('h2', 'annex-heading'),
    preamble: {
      content: 'paragraph+',
      parseDOM: [{ tag: 'div.preamble' }],
      toDOM: (): DOMOutputSpec => ['div', { class: 'preamble' }, 0],
    },
    operative: {
      content: 'paragraph+',
      parseDOM: [{ tag: 'div.operative' }],
      toDOM: (): DOMOutputSpec => ['div', { class: 'operative' }, 0],
    },
    paragraph: {
      attrs: { id: { default: null }, level: { default: 0 } },
      content: 'inline*',
      marks: TEXT_MARKS,
      parseDOM: [
        {
          tag: 'p',
          getAttrs: (dom) => ({
            id: attrOf(dom, 'data-id'),
            level: clampLevel(attrOf(dom, 'data-level')),
          }),
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
    /**
     * A footnote: anchored where it stands in the text, its own text inside it (synced and
     * edited like the rest). Numbered continuously through the document (numbering.ts).
     */
    footnote: {
      attrs: { id: { default: null } },
      inline: true,
      group: 'inline',
      content: 'text*',
      marks: 'em strong docref',
      parseDOM: [
        { tag: 'span.footnote', getAttrs: (dom: unknown) => ({ id: attrOf(dom, 'data-id') }) },
      ],
      toDOM: (node): DOMOutputSpec => ['span', { class: 'footnote', ...idAttr(node) }, 0],
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
    /** A cited document symbol (A/70/174): not negotiated text, its brackets are not brackets. */
    docref: {
      attrs: { symbol: { default: '' } },
      inclusive: false,
      parseDOM: [
        {
          tag: 'cite.docref',
          getAttrs: (dom: unknown) => ({ symbol: attrOf(dom, 'data-symbol') }),
        },
      ],
      toDOM: (mark: Mark): DOMOutputSpec => [
        'cite',
        { class: 'docref', 'data-symbol': String(mark.attrs['symbol'] ?? '') },
        0,
      ],
    },
  },
});

/** True when nodes of this type carry a stable `id` attribute. */
export function isIdentified(type: NodeType): boolean {
  return 'id' in type.spec.attrs!;
}

/** The node types that carry a stable `id` (what comments, statuses and positions target). */
export function identifiedKinds(s: Schema = schema): string[] {
  return Object.values(s.nodes)
    .filter((t) => t.spec.attrs && 'id' in t.spec.attrs)
    .map((t) => t.name);
}

/** Node types that carry a stable `id` (derived from the schema). */
export const IDENTIFIED_NODE_TYPES: ReadonlySet<string> = new Set(identifiedKinds());

/**
 * Identified text blocks: the units that are numbered, given a status, commented and locked
 * (today: paragraph, in every container). Derived from the schema.
 */
export const TEXT_BLOCK_KINDS: ReadonlySet<string> = new Set(
  Object.values(schema.nodes)
    .filter((t) => t.isTextblock && IDENTIFIED_NODE_TYPES.has(t.name))
    .map((t) => t.name),
);

/** Identified inline nodes with their own text (footnotes). */
export const INLINE_KINDS: ReadonlySet<string> = new Set(
  Object.values(schema.nodes)
    .filter((t) => t.isInline && IDENTIFIED_NODE_TYPES.has(t.name))
    .map((t) => t.name),
);

/** Identified containers (chapters, sections, annexes, front matter blocks). */
export const CONTAINER_KINDS: ReadonlySet<string> = new Set(
  Object.values(schema.nodes)
    .filter((t) => !t.isTextblock && !t.isInline && IDENTIFIED_NODE_TYPES.has(t.name))
    .map((t) => t.name),
);

/** True for a text block that is numbered, given a status and commented (a paragraph). */
export function isTextBlock(node: PMNode): boolean {
  return TEXT_BLOCK_KINDS.has(node.type.name);
}

/** Which kind of document the structure says this is. */
export function documentType(doc: PMNode): 'report' | 'resolution' {
  let resolution = false;
  doc.forEach((child) => {
    if (child.type.name === 'preamble' || child.type.name === 'operative') resolution = true;
  });
  return resolution ? 'resolution' : 'report';
}
