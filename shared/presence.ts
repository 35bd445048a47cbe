/**
 * Presence colours, the same on every side: a person's caret, selection and presence chip have
 * one colour everywhere. Derived from a stable key (the account's user id; a guest's name); in an
 * open report the server gives each person present a colour nobody else present has
 * (`distinctPresenceColor`) and stamps it on their presence.
 * Six-digit hex: y-prosemirror's cursor plugin accepts only that form.
 */

export const PRESENCE_PALETTE: readonly string[] = [
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

/** FNV-1a of the key, into the palette. */
export function presenceColor(key: string): string {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  return PRESENCE_PALETTE[h % PRESENCE_PALETTE.length]!;
}

/**
 * A colour for `key` that is not in `taken` (the colours of the others present): the key's own
 * colour when it is free, else the next free one after it in the palette. When every colour is
 * taken (more people than colours), the key's own colour.
 */
export function distinctPresenceColor(key: string, taken: ReadonlySet<string>): string {
  const own = presenceColor(key);
  const start = PRESENCE_PALETTE.indexOf(own);
  for (let i = 0; i < PRESENCE_PALETTE.length; i++) {
    const color = PRESENCE_PALETTE[(start + i) % PRESENCE_PALETTE.length]!;
    if (!taken.has(color)) return color;
  }
  return own;
}
