import type { Me } from '../../../shared/api.js';

/** What the shell gives a page to fill; a page returns its cleanup function. */
export interface PageContext {
  /** The main column. */
  main: HTMLElement;
  /** Left part of the header, after the brand (back link, title). */
  headerMain: HTMLElement;
  /** Right part of the header, before the account menu (presence, save state). */
  headerAside: HTMLElement;
  /** Full-width strip under the header for connection banners. */
  banner: HTMLElement;
  /**
   * A login, setup or invitation acceptance succeeded: the shell takes the account and opens
   * `next` (a hash path such as "/r/abc"; default the home page).
   */
  signedIn(me: Me, next?: string | null): void;
}

export type Page = (context: PageContext) => () => void;
