/**
 * A revision read-only: every identified node as it stood, with its number then, its status and
 * the open threads (those the reader may see) it had. Nothing here can be edited.
 */
import { STATUS_LABELS } from '../../../shared/consensus.js';
import type { RevisionNodeView } from '../../../shared/revisions.js';

/** Kinds shown as headings (their text is the heading). */
const HEADINGS: ReadonlySet<string> = new Set(['chapter', 'section', 'annex', 'front_block']);

function NodeLine({ node }: { node: RevisionNodeView }) {
  const heading = HEADINGS.has(node.kind);
  const meta = (
    <span class="revision-node-meta">
      {node.status && node.status !== 'draft' ? (
        <span class={`status-chip is-${node.status}`}>
          {STATUS_LABELS[node.status as keyof typeof STATUS_LABELS] ?? node.status}
        </span>
      ) : null}
      {node.openThreads > 0 ? (
        <span class="muted" data-testid="revision-node-threads">
          {`${node.openThreads} open thread${node.openThreads === 1 ? '' : 's'}`}
        </span>
      ) : null}
    </span>
  );
  if (heading)
    return (
      <h2
        class={`revision-heading is-${node.kind}`}
        data-testid="revision-node"
        data-id={node.id}
        data-citation={node.citation}
      >
        {node.label ? `${node.label} ` : ''}
        {node.text}
        {meta}
      </h2>
    );
  return (
    <p
      class={`revision-para level-${node.level} is-${node.kind}`}
      data-testid="revision-node"
      data-id={node.id}
      data-citation={node.citation}
    >
      <span class="revision-number">{node.label}</span>
      <span class="revision-text">{node.text}</span>
      {meta}
    </p>
  );
}

export function RevisionDocument({ nodes }: { nodes: readonly RevisionNodeView[] }) {
  return (
    <article class="revision-document" data-testid="revision-document">
      {nodes.map((n) => (
        <NodeLine key={n.id} node={n} />
      ))}
    </article>
  );
}
