/**
 * What an import would create (the server's preview): the counts, what was unsure or left out,
 * and every heading and paragraph with the number Concord will give it, unsure ones highlighted.
 */
import type { ImportPreview as Preview, PreviewBlock } from '../../../shared/import.js';

const COUNTS: ReadonlyArray<[keyof Preview['counts'], string]> = [
  ['frontMatter', 'front matter blocks'],
  ['chapters', 'chapters'],
  ['sections', 'sections'],
  ['annexes', 'annexes'],
  ['preambular', 'preambular paragraphs'],
  ['operative', 'operative paragraphs'],
  ['paragraphs', 'paragraphs'],
  ['subParagraphs', 'sub-paragraphs'],
  ['footnotes', 'footnotes'],
  ['references', 'document references'],
];

const clip = (s: string) => (s.length > 160 ? `${s.slice(0, 157)}…` : s);

function Row(props: { block: PreviewBlock }) {
  const b = props.block;
  const heading = b.kind !== 'paragraph';
  return (
    <li
      class={`import-block import-${b.kind}${b.unsure ? ' import-unsure' : ''}`}
      style={{ marginLeft: `${b.level * 1.5}em` }}
      data-testid="import-block"
      data-kind={b.kind}
      data-label={b.label}
      data-level={b.level}
      title={b.unsure}
    >
      <span class="import-label">{b.label}</span>{' '}
      {heading ? <strong>{clip(b.text) || '(no heading)'}</strong> : clip(b.text) || '(empty)'}
      {b.footnotes.length > 0 ? <sup class="import-notes"> {b.footnotes.join(', ')}</sup> : null}
      {b.unsure ? <span class="import-why"> ⚠ {b.unsure}</span> : null}
    </li>
  );
}

export function ImportPreview(props: { preview: Preview }) {
  const p = props.preview;
  const counts = COUNTS.filter(([k]) => p.counts[k] > 0);
  // "paragraphs" already holds the preambular and operative ones of a resolution.
  const shown = p.type === 'resolution' ? counts.filter(([k]) => k !== 'paragraphs') : counts;
  return (
    <section class="import-preview" data-testid="import-preview" aria-label="Import preview">
      <h3>
        {p.type === 'resolution' ? 'A resolution' : 'A report'}: {p.title || '(no title)'}
      </h3>
      <ul class="import-counts" data-testid="import-counts">
        {shown.map(([k, label]) => (
          <li key={k} data-count={k}>
            <strong>{p.counts[k]}</strong> {label}
          </li>
        ))}
      </ul>
      {Object.keys(p.metadata).length > 0 ? (
        <p class="field-help" data-testid="import-metadata">
          Masthead:{' '}
          {Object.entries(p.metadata)
            .map(([k, v]) => `${k} ${v}`)
            .join(' · ')}
        </p>
      ) : null}
      {p.notes.length > 0 ? (
        <ul class="import-notes-list" data-testid="import-notes">
          {p.notes.map((n, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a preview is drawn once, never reordered
            <li key={i} class={`import-note-${n.level}`}>
              {n.level === 'unsure' ? 'Unsure: ' : 'Left out: '}
              {n.message}
            </li>
          ))}
        </ul>
      ) : null}
      <ol class="import-blocks" aria-label="What will be created">
        {p.blocks.map((b, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a preview is drawn once, never reordered
          <Row key={i} block={b} />
        ))}
      </ol>
      {p.footnotes.length > 0 ? (
        <details>
          <summary>{p.footnotes.length} footnotes</summary>
          <ol class="import-footnotes">
            {p.footnotes.map((f) => (
              <li key={f.number} value={f.number}>
                {clip(f.text)}
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </section>
  );
}
