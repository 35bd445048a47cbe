/** A bar of coloured segments, one per status, each as wide as its share (in 5 % steps). */
import { PARAGRAPH_STATUSES, type ParagraphStatus } from '../../../shared/consensus.js';

export function ProgressBar(props: {
  counts: ReadonlyMap<ParagraphStatus, number>;
  total: number;
  label: string;
}) {
  const total = Math.max(props.total, 1);
  return (
    <div class="progress" role="img" aria-label={props.label} title={props.label}>
      {PARAGRAPH_STATUSES.map((s) => {
        const n = props.counts.get(s) ?? 0;
        if (n === 0) return null;
        // Width through a class per 5 % step (no inline styles under the CSP).
        const width = Math.max(1, Math.round((n / total) * 20));
        return <span key={s} class={`progress-seg status-${s} w-${width}`} />;
      })}
    </div>
  );
}
