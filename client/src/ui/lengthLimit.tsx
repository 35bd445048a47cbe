/**
 * A text field's length limit, said instead of enforced by `maxLength` (which cuts a pasted
 * text silently): past the limit a note says by how much, and the form refuses to send it, as
 * the API would (it counts characters as code points, as here).
 */
import { useState } from 'preact/hooks';

/** Characters as the API counts them (JSON Schema maxLength: code points). */
export function textLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function tooLongText(length: number, max: number, what = 'A message'): string {
  const f = (n: number) => n.toLocaleString('en');
  return `Too long: ${f(length)} characters. ${what} may have at most ${f(max)}; remove ${f(length - max)}. Nothing has been cut.`;
}

/** Tracks a field's length: `onInput` for the field, `note` to render, `over` to refuse. */
export function useLengthLimit(max: number, what?: string, initial = '') {
  const [length, setLength] = useState(() => textLength(initial));
  const over = length > max;
  return {
    over,
    /** Call with the field's value on every input. */
    update: (value: string) => setLength(textLength(value)),
    note: over ? (
      <p class="length-note" role="alert" data-testid="length-note">
        {tooLongText(length, max, what)}
      </p>
    ) : null,
  };
}
