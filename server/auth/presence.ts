/** Presence colours: derived from the user id, so a person keeps one colour everywhere. */
const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#ff7f0e',
  '#3b5b92',
  '#b5485d',
  '#2f7f5f',
];

export function colorFor(userId: string): string {
  let h = 2166136261;
  for (let i = 0; i < userId.length; i++) h = Math.imul(h ^ userId.charCodeAt(i), 16777619) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}
