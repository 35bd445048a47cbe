/** Who is in the report now, from the awareness states (one chip per open page). */
import type { Awareness } from 'y-protocols/awareness';
import { safeColor, safeName } from '../editor/cursors.js';
import { roleAndState } from '../identity.js';
import { h, replaceChildren } from './dom.js';

/** Chips shown before the rest collapse into "+N" (its tooltip names them). */
const MAX_CHIPS = 4;

interface PresenceEntry {
  clientId: number;
  name: string;
  color: string;
  /** "Expert · Brazil" (empty when unknown). */
  role: string;
  self: boolean;
}

function entries(awareness: Awareness): PresenceEntry[] {
  const out: PresenceEntry[] = [];
  awareness.getStates().forEach((state, clientId) => {
    const user = (
      state as {
        user?: { name?: unknown; color?: unknown; role?: unknown; represents?: unknown };
      }
    ).user;
    if (!user) return;
    out.push({
      clientId,
      name: safeName(user.name, clientId),
      color: safeColor(user.color),
      role: roleAndState(user.role, user.represents),
      self: clientId === awareness.clientID,
    });
  });
  // Me first, then everyone else by name.
  return out.sort((a, b) =>
    a.self !== b.self ? (a.self ? -1 : 1) : a.name.localeCompare(b.name) || a.clientId - b.clientId,
  );
}

function describe(p: PresenceEntry): string {
  return `${p.name}${p.role ? ` — ${p.role}` : ''}${p.self ? ' (you)' : ''}`;
}

export function presenceBar(awareness: Awareness): { element: HTMLElement; destroy(): void } {
  const list = h('ul', {
    className: 'presence',
    attrs: { 'data-testid': 'presence', 'aria-label': 'People in this report' },
  });
  let drawn = '';
  const render = () => {
    const people = entries(awareness);
    // Cursor moves also change awareness states: redraw only when the people change.
    const key = JSON.stringify(people.map((p) => [p.clientId, p.name, p.color, p.role]));
    if (key === drawn) return;
    drawn = key;
    const shown = people.slice(0, MAX_CHIPS);
    const hidden = people.slice(MAX_CHIPS);
    replaceChildren(
      list,
      ...shown.map((p) => {
        const dot = h('span', { className: 'presence-dot', attrs: { 'aria-hidden': 'true' } });
        dot.style.backgroundColor = p.color;
        const item = h(
          'li',
          {
            className: p.self ? 'presence-person is-self' : 'presence-person',
            attrs: { 'data-client': p.clientId, title: describe(p) },
          },
          dot,
          h(
            'span',
            { className: 'presence-text' },
            h(
              'span',
              { className: 'presence-line' },
              h('span', { className: 'presence-name' }, p.name),
              p.self ? h('span', { className: 'presence-you' }, ' (you)') : null,
            ),
            p.role ? h('span', { className: 'presence-role' }, p.role) : null,
          ),
        );
        item.style.borderColor = p.color;
        return item;
      }),
      hidden.length > 0
        ? h(
            'li',
            {
              className: 'presence-person presence-more',
              attrs: { title: hidden.map(describe).join(', ') },
            },
            `+${hidden.length}`,
          )
        : null,
    );
  };
  // 'change' fires only when a state's content changes (not on the 15 s keep-alive renewals).
  awareness.on('change', render);
  render();
  return { element: list, destroy: () => awareness.off('change', render) };
}
