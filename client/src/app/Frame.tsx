/**
 * The frame of every page: the header (brand, the page's own part, the page's aside, the inbox
 * and the account menu), a strip for banners, and the main column. A page renders its content
 * inside it and passes what goes in the header and the banner strip.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { InboxControl } from '../inbox/InboxControl.js';
import { AccountMenu } from './AccountMenu.js';
import { shellBanner } from './account.js';
import { hash } from './navigation.js';
import { LIST_HREF } from './routes.js';

export interface FrameProps {
  /** Left part of the header, after the brand (back link, title). */
  header?: ComponentChildren;
  /** Right part of the header, before the inbox and the account menu (presence, save state). */
  aside?: ComponentChildren;
  /** Banners under the header (connection, notices). */
  banner?: ComponentChildren;
  children?: ComponentChildren;
}

/**
 * Keeps `--app-top-h` (CSS) at the height of the sticky header and banners, so sticky columns
 * and scrolled-to content sit below them (a banner that appears pushes them down).
 */
function useTopHeight() {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const top = ref.current;
    if (!top || typeof ResizeObserver === 'undefined') return;
    const set = () =>
      document.documentElement.style.setProperty('--app-top-h', `${top.offsetHeight}px`);
    const observer = new ResizeObserver(set);
    observer.observe(top);
    set();
    return () => observer.disconnect();
  }, []);
  return ref;
}

export function Frame(props: FrameProps) {
  const banner = shellBanner.value;
  const message = banner && banner.at === hash.value ? banner.text : null;
  const top = useTopHeight();
  return (
    <>
      <div class="app-top" ref={top}>
        <header class="app-header">
          <a class="brand" href={LIST_HREF}>
            Concord
          </a>
          <div class="header-main">{props.header}</div>
          <div class="header-aside">{props.aside}</div>
          <div class="header-end">
            <InboxControl />
            <AccountMenu />
          </div>
        </header>
        <div class="banner-slot">
          {message ? (
            <p class="banner is-fatal" role="alert">
              {message}
            </p>
          ) : null}
          {props.banner}
        </div>
      </div>
      <main class="app-main">{props.children}</main>
    </>
  );
}

/** A page that only says something went wrong, with a way back. */
export function ProblemPage(props: { text: string; header?: ComponentChildren }) {
  return (
    <Frame header={props.header}>
      <div class="page">
        <p class="banner is-fatal" role="alert">
          {props.text}
        </p>
        <p>
          <a href={LIST_HREF}>Back to the reports</a>
        </p>
      </div>
    </Frame>
  );
}
