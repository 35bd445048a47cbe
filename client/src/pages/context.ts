/** What the shell gives a page to fill; a page returns its cleanup function. */
export interface PageContext {
  /** The main column. */
  main: HTMLElement;
  /** Left part of the header, after the brand (back link, title). */
  headerMain: HTMLElement;
  /** Right part of the header, before the name field (presence, save state). */
  headerAside: HTMLElement;
  /** Full-width strip under the header for connection banners. */
  banner: HTMLElement;
}

export type Page = (context: PageContext) => () => void;
