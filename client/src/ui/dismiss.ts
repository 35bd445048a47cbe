/**
 * A <details> menu that closes like a menu: a click outside it or Escape closes it, and Escape
 * gives the focus back to its summary (the account menu, the Export menu).
 */
import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';

export function useDismissableDetails(details: RefObject<HTMLDetailsElement | null>): void {
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      const el = details.current;
      if (el?.open && !el.contains(event.target as Node)) el.open = false;
    };
    const onKey = (event: KeyboardEvent) => {
      const el = details.current;
      if (event.key === 'Escape' && el?.open) {
        el.open = false;
        el.querySelector('summary')?.focus();
      }
    };
    document.addEventListener('click', onClick);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('click', onClick);
      document.removeEventListener('keydown', onKey);
    };
  }, [details]);
}
