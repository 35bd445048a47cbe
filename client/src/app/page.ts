/** What every page tells the shell: the window title and the group it is about. */
import { useEffect } from 'preact/hooks';
import { setCurrentGroup } from '../auth.js';

/** Sets `document.title` while the page shows (back to "Concord" when it goes). */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
  useEffect(
    () => () => {
      document.title = 'Concord';
    },
    [],
  );
}

/** The group the page is about (the header shows the user's role there); null when it goes. */
export function useCurrentGroup(groupId: string | null): void {
  useEffect(() => {
    setCurrentGroup(groupId);
  }, [groupId]);
  useEffect(
    () => () => {
      setCurrentGroup(null);
    },
    [],
  );
}
