/**
 * What the sync channel accepts inside a report, derived from the editor's ProseMirror schema
 * (shared/schema.ts) so that a node kind added there is covered here without naming it: which
 * node names may sit in which parent, which attributes each declares, which marks its text may
 * carry, and which kinds are identified (declare an `id` attribute).
 *
 * Only properties that stay true when concurrent updates merge are checked here (a name in its
 * parent, an attribute, a mark); content expressions ("a heading first") are not, since two valid
 * concurrent updates can merge into an invalid sequence (the server's reading fills such gaps).
 */
import type { NodeType, Schema } from 'prosemirror-model';
import { schema as reportSchema } from '../../shared/schema.js';

/** The rules of one node kind. */
export interface NodeRules {
  readonly name: string;
  /** Element names allowed as children (the node types its content expression can reach). */
  readonly children: ReadonlySet<string>;
  /** May it hold text (a Y.XmlText child)? */
  readonly text: boolean;
  /** Declared attributes and their defaults. */
  readonly attrs: ReadonlyMap<string, unknown>;
  /** Marks its text may carry. */
  readonly marks: ReadonlySet<string>;
}

export interface SchemaRules {
  /** The root's rules (the schema's top node). */
  readonly top: NodeRules;
  /** Rules by element name; a name not here is unknown. */
  readonly nodes: ReadonlyMap<string, NodeRules>;
  /** Names of the node kinds that carry a stable `id` attribute. */
  readonly identified: ReadonlySet<string>;
}

/** Every node type reachable in `type`'s content expression. */
function reachable(type: NodeType): NodeType[] {
  const seen = new Set<unknown>();
  const out = new Set<NodeType>();
  const stack = [type.contentMatch];
  while (stack.length > 0) {
    const match = stack.pop()!;
    if (seen.has(match)) continue;
    seen.add(match);
    for (let i = 0; i < match.edgeCount; i++) {
      const edge = match.edge(i);
      out.add(edge.type);
      stack.push(edge.next);
    }
  }
  return [...out];
}

function rulesOf(type: NodeType, schema: Schema): NodeRules {
  const kids = reachable(type);
  const attrs = new Map<string, unknown>();
  for (const [key, spec] of Object.entries(type.spec.attrs ?? {})) attrs.set(key, spec.default);
  const marks = new Set<string>();
  for (const mark of Object.values(schema.marks))
    if (type.allowsMarkType(mark)) marks.add(mark.name);
  return {
    name: type.name,
    children: new Set(kids.filter((k) => !k.isText).map((k) => k.name)),
    text: kids.some((k) => k.isText),
    attrs,
    marks,
  };
}

export function schemaRules(schema: Schema): SchemaRules {
  const nodes = new Map<string, NodeRules>();
  const identified = new Set<string>();
  for (const type of Object.values(schema.nodes)) {
    if (type.isText || type === schema.topNodeType) continue;
    nodes.set(type.name, rulesOf(type, schema));
    if (type.spec.attrs && 'id' in type.spec.attrs) identified.add(type.name);
  }
  return { top: rulesOf(schema.topNodeType, schema), nodes, identified };
}

/** The report schema's rules. */
export const REPORT_RULES: SchemaRules = schemaRules(reportSchema);

/** y-prosemirror stores a mark that may repeat as `name--hash` (its yattr2markname). */
const HASHED_MARK = /^(.*)--[a-zA-Z0-9+/=]{8}$/;

export function markNameOf(formatKey: string): string {
  return HASHED_MARK.exec(formatKey)?.[1] ?? formatKey;
}

/** Ids are short tokens (shared/ids.ts makes 12 base-36 characters; older ones may differ). */
const ID_VALUE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Is `value` acceptable for attribute `key` of a node with `rules`? Attributes are JSON
 * primitives; `id` is a short token; a numeric default asks for a non-negative integer.
 */
export function validAttribute(rules: NodeRules, key: string, value: unknown): boolean {
  if (!rules.attrs.has(key)) return false;
  if (value === null) return true;
  if (key === 'id') return typeof value === 'string' && ID_VALUE.test(value);
  const def = rules.attrs.get(key);
  if (typeof def === 'number') {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1000;
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Is `value` acceptable as the formatting value of a mark (its attributes, or null to end)? */
export function validMarkValue(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value as Record<string, unknown>).every(
    (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v),
  );
}
