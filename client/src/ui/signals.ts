/**
 * Bridges into signals from what is not a signal: the sync session, Yjs awareness, ProseMirror.
 * Views read only signals; anything else reaches them through one of these, at one place.
 */
import { type ReadonlySignal, signal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';

/** Something that tells when it changed; returns how to stop listening. */
export type Subscribe = (listener: () => void) => () => void;

export interface Bridged<T> {
  readonly value: ReadonlySignal<T>;
  dispose(): void;
}

/**
 * A signal holding `read()`, read again after each notification of `subscribe`. It changes only
 * when the value does (`equals`), so listeners of a busy source (a session notifies on every
 * keystroke) re-render only for what they show.
 */
export function fromSource<T>(
  subscribe: Subscribe,
  read: () => T,
  equals: (a: T, b: T) => boolean = Object.is,
): Bridged<T> {
  const value = signal(read());
  const stop = subscribe(() => {
    const next = read();
    if (!equals(value.peek(), next)) value.value = next;
  });
  return { value, dispose: stop };
}

/** `fromSource` for a component: made at mount, stopped at unmount. */
export function useSource<T>(
  subscribe: Subscribe,
  read: () => T,
  equals?: (a: T, b: T) => boolean,
): ReadonlySignal<T> {
  // biome-ignore lint/correctness/useExhaustiveDependencies: made once per mount, on purpose.
  const bridged = useMemo(() => fromSource(subscribe, read, equals), []);
  useEffect(() => () => bridged.dispose(), [bridged]);
  return bridged.value;
}

/** Equal arrays of primitives (for sources that return a fresh array every time). */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}
