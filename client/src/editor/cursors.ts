/**
 * How other people's carets and selections look. Built with DOM properties (never style
 * attributes or HTML strings): remote names are untrusted text, and a CSP without
 * 'unsafe-inline' forbids style attributes.
 */
import { Plugin } from 'prosemirror-state';
import type { DecorationAttrs } from 'prosemirror-view';
import { affiliation, LABEL_PART_MAX } from '../identity.js';

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;
const FALLBACK_COLOR = '#5d6d7e';

interface RemoteUser {
  name?: unknown;
  color?: unknown;
  role?: unknown;
  represents?: unknown;
}

export function safeColor(color: unknown): string {
  return typeof color === 'string' && HEX_COLOR.test(color) ? color : FALLBACK_COLOR;
}

export function safeName(name: unknown, clientId: number): string {
  const text = typeof name === 'string' ? name.replace(/\s+/g, ' ').trim() : '';
  return text ? text.slice(0, LABEL_PART_MAX) : `Someone (${clientId})`;
}

/** "Ana Souza · Brazil": the name and the State (or the role when there is none). */
export function caretLabel(user: RemoteUser, clientId: number): string {
  const name = safeName(user.name, clientId);
  const rest = affiliation(user.role, user.represents);
  return rest ? `${name} · ${rest}` : name;
}

/** Black or white, whichever reads better on `color` (#rrggbb). */
export function textColorOn(color: string): string {
  const n = Number.parseInt(color.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  // Relative luminance (sRGB approximation): light backgrounds get dark text.
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#111111' : '#ffffff';
}

/** The caret of another person: a coloured bar with their name and State above it. */
export function remoteCaret(user: RemoteUser, clientId: number): HTMLElement {
  const color = safeColor(user.color);
  const caret = document.createElement('span');
  caret.className = 'ProseMirror-yjs-cursor remote-caret';
  caret.dataset['testid'] = 'remote-caret';
  caret.dataset['client'] = String(clientId);
  caret.style.borderColor = color;
  const label = document.createElement('span');
  label.className = 'remote-caret-label';
  label.style.backgroundColor = color;
  label.style.color = textColorOn(color);
  label.textContent = caretLabel(user, clientId);
  // Word joiners keep the caret from creating a line-break opportunity.
  caret.append('\u2060', label, '\u2060');
  return caret;
}

/** Another person's selection: their colour, translucent. */
export function remoteSelection(user: RemoteUser): DecorationAttrs {
  return {
    class: 'ProseMirror-yjs-selection remote-selection',
    style: `background-color: ${safeColor(user.color)}40`,
  };
}

/**
 * A caret's label shows while its person is active and fades when they are idle (a CSS
 * animation on the label). ProseMirror keeps a moved caret's element, so the animation is
 * restarted here when a caret is found where the edits alone would not have put it: its person
 * moved it or typed there. Edits of others ahead of it (mapped along) do not wake it.
 */
export function caretActivityPlugin(): Plugin {
  /** Client id → where its caret was, mapped through the edits since (to the left). */
  const seen = new Map<string, number>();
  return new Plugin({
    state: {
      init: () => null,
      apply(tr) {
        if (tr.docChanged) for (const [id, pos] of seen) seen.set(id, tr.mapping.map(pos, -1));
        return null;
      },
    },
    view: () => ({
      update(view) {
        const present = new Set<string>();
        for (const caret of view.dom.querySelectorAll<HTMLElement>('.remote-caret')) {
          const id = caret.dataset['client'];
          if (!id) continue;
          present.add(id);
          const pos = view.posAtDOM(caret, 0);
          const before = seen.get(id);
          seen.set(id, pos);
          if (before === undefined || before === pos) continue;
          for (const label of caret.children) {
            for (const animation of label.getAnimations()) animation.currentTime = 0;
          }
        }
        for (const id of seen.keys()) if (!present.has(id)) seen.delete(id);
      },
    }),
  });
}
