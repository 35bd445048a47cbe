/** Who is in the report now, from the awareness states (one chip per open page). */
import type { Awareness } from 'y-protocols/awareness';
import { safeColor, safeName } from '../editor/cursors.js';
import { roleAndState } from '../identity.js';
import { useSource } from '../ui/signals.js';

/** Chips shown before the rest collapse into "+N" (a disclosure that lists them). */
const MAX_CHIPS = 4;

/** From this many people on, chips show names only (the header stays one row at 1440 px). */
const CROWDED = 4;

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

/** Cursor moves change awareness states too: the chips change only when the people do. */
function samePeople(a: PresenceEntry[], b: PresenceEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (p, i) =>
        p.clientId === b[i]!.clientId &&
        p.name === b[i]!.name &&
        p.color === b[i]!.color &&
        p.role === b[i]!.role,
    )
  );
}

function describe(p: PresenceEntry): string {
  return `${p.name}${p.role ? ` — ${p.role}` : ''}${p.self ? ' (you)' : ''}`;
}

export function PresenceBar({ awareness }: { awareness: Awareness }) {
  const people = useSource(
    (listener) => {
      // 'change' fires only when a state's content changes (not on the 15 s keep-alive renewals).
      awareness.on('change', listener);
      return () => awareness.off('change', listener);
    },
    () => entries(awareness),
    samePeople,
  ).value;
  const shown = people.slice(0, MAX_CHIPS);
  const hidden = people.slice(MAX_CHIPS);
  return (
    <ul
      class={people.length >= CROWDED ? 'presence is-crowded' : 'presence'}
      data-testid="presence"
      aria-label={`People in this report: ${people.length}`}
    >
      {shown.map((p) => (
        <li
          key={p.clientId}
          class={p.self ? 'presence-person is-self' : 'presence-person'}
          data-client={p.clientId}
          title={describe(p)}
          style={{ borderColor: p.color }}
        >
          <span class="presence-dot" aria-hidden="true" style={{ backgroundColor: p.color }} />
          <span class="presence-text">
            <span class="presence-line">
              <span class="presence-name">{p.name}</span>
              {p.self ? <span class="presence-you"> (you)</span> : null}
            </span>
            {p.role ? <span class="presence-role">{p.role}</span> : null}
          </span>
        </li>
      ))}
      {hidden.length > 0 ? (
        <li class="presence-person presence-more">
          <details>
            <summary
              class="presence-more-toggle"
              data-testid="presence-more"
              aria-label={`${hidden.length} more: ${hidden.map((p) => p.name).join(', ')}`}
              title={hidden.map(describe).join(', ')}
            >
              {`+${hidden.length}`}
            </summary>
            <ul class="presence-more-list" data-testid="presence-more-list">
              {hidden.map((p) => (
                <li key={p.clientId}>
                  <span
                    class="presence-dot"
                    aria-hidden="true"
                    style={{ backgroundColor: p.color }}
                  />
                  {describe(p)}
                </li>
              ))}
            </ul>
          </details>
        </li>
      ) : null}
    </ul>
  );
}
