/**
 * `memo` for Preact without preact/compat (whose import changes Preact's behaviour for the whole
 * page): the component re-renders only when a prop changed (shallow, by identity) or a signal it
 * reads did. Long lists (thread cards, matrix rows) wrap their rows in it.
 */
import { Component, type ComponentType, type FunctionComponent, h } from 'preact';

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const key of ka) {
    if (!Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) {
      return false;
    }
  }
  return true;
}

export function memo<P extends object>(Inner: FunctionComponent<P>): ComponentType<P> {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: P): boolean {
      return !shallowEqual(this.props, next);
    }
    override render(props: P) {
      return h(Inner, props);
    }
  }
  (Memo as { displayName?: string }).displayName = `memo(${Inner.displayName ?? Inner.name})`;
  return Memo;
}
