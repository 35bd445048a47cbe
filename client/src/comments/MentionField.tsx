/**
 * A message box with "@" completion: typing "@" and the start of a name (or of a State) lists
 * the members who may see the message; Up and Down choose, Enter or Tab inserts "@Name ",
 * Escape closes the list (and only the list). The text box keeps the focus and points at the
 * chosen option (aria-activedescendant, aria-autocomplete="list": the ARIA pattern for a text
 * box with a list of suggestions); the number of suggestions is announced. The server notifies
 * whoever the sent text names (shared/mentions.ts), so a name typed in full counts too.
 */
import type { RefObject, TargetedKeyboardEvent, TextareaHTMLAttributes } from 'preact';
import { useId, useState } from 'preact/hooks';
import { canSeeThread, type ThreadVisibility } from '../../../shared/comments.js';
import { mentionMatches, mentionQuery } from '../../../shared/mentions.js';
import type { Member } from '../api.js';
import { announce } from '../ui/announce.js';

/** The members other than me who may see a message with this audience. */
export function mentionCandidates(
  members: readonly Member[] | null,
  userId: string,
  audience: { visibility: ThreadVisibility; delegation: string | null; authorId: string },
): readonly Member[] {
  if (!members) return [];
  return members.filter(
    (m) =>
      m.userId !== userId &&
      canSeeThread({ userId: m.userId, role: m.role, represents: m.represents }, audience),
  );
}

interface Open {
  start: number;
  end: number;
  matches: readonly Member[];
  active: number;
}

type TextareaProps = Omit<
  TextareaHTMLAttributes<HTMLTextAreaElement>,
  'ref' | 'onInput' | 'onKeyDown'
>;

export function MentionField(
  props: TextareaProps & {
    candidates: readonly Member[];
    textarea: RefObject<HTMLTextAreaElement | null>;
    /** The text changed (typed, or a name inserted). */
    onText?(value: string): void;
    onKeyDown?(e: TargetedKeyboardEvent<HTMLTextAreaElement>): void;
  },
) {
  const { candidates, textarea, onText, onKeyDown, ...rest } = props;
  const listId = useId();
  const [open, setOpen] = useState<Open | null>(null);

  const show = (next: Open | null) => {
    const count = next?.matches.length ?? 0;
    if (count !== (open?.matches.length ?? 0) && next) {
      announce(
        `${count} ${count === 1 ? 'person' : 'people'} to mention: ${next.matches[0]!.displayName}. Up and Down choose, Enter inserts.`,
      );
    }
    setOpen(next);
  };

  const look = () => {
    const box = textarea.current;
    if (!box || box.selectionStart !== box.selectionEnd) return show(null);
    const q = mentionQuery(box.value, box.selectionStart);
    const matches = q ? mentionMatches(candidates, q.query) : [];
    if (!q || matches.length === 0) return show(null);
    const keep = open && open.start === q.start ? matches.indexOf(open.matches[open.active]!) : -1;
    show({ start: q.start, end: box.selectionStart, matches, active: Math.max(0, keep) });
  };

  const insert = (member: Member) => {
    const box = textarea.current;
    if (!box || !open) return;
    const name = `@${member.displayName} `;
    const after = box.value.slice(open.end).replace(/^ /, '');
    box.value = box.value.slice(0, open.start) + name + after;
    const caret = open.start + name.length;
    box.setSelectionRange(caret, caret);
    box.focus();
    setOpen(null);
    onText?.(box.value);
  };

  const keys = (e: TargetedKeyboardEvent<HTMLTextAreaElement>) => {
    if (open) {
      const n = open.matches.length;
      const move = (by: number) => {
        e.preventDefault();
        setOpen({ ...open, active: (open.active + by + n) % n });
      };
      if (e.key === 'ArrowDown') return move(1);
      if (e.key === 'ArrowUp') return move(-1);
      if ((e.key === 'Enter' && !e.ctrlKey && !e.metaKey) || e.key === 'Tab') {
        if (e.shiftKey && e.key === 'Tab') return setOpen(null);
        e.preventDefault();
        return insert(open.matches[open.active]!);
      }
      if (e.key === 'Escape') {
        // Closes the list, not the form around it.
        e.preventDefault();
        e.stopPropagation();
        return setOpen(null);
      }
    }
    onKeyDown?.(e);
  };

  const optionId = (i: number) => `${listId}-o${i}`;
  return (
    <div class="mention-field">
      <textarea
        {...rest}
        ref={textarea}
        aria-autocomplete="list"
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open ? optionId(open.active) : undefined}
        onInput={(e) => {
          onText?.(e.currentTarget.value);
          look();
        }}
        onKeyDown={keys}
        onKeyUp={(e) => {
          if (
            e.key === 'ArrowLeft' ||
            e.key === 'ArrowRight' ||
            e.key === 'Home' ||
            e.key === 'End'
          )
            look();
        }}
        onClick={look}
        onBlur={() => setOpen(null)}
      />
      {open ? (
        <div
          class="mention-list"
          id={listId}
          role="listbox"
          aria-label="People to mention"
          data-testid="mention-list"
        >
          {open.matches.map((m, i) => (
            <div
              key={m.userId}
              tabIndex={-1}
              id={optionId(i)}
              role="option"
              aria-selected={i === open.active}
              class={i === open.active ? 'active' : undefined}
              data-testid="mention-option"
              // Keeps the focus in the text box (a click would blur it and close the list).
              onMouseDown={(e) => {
                e.preventDefault();
                insert(m);
              }}
            >
              {m.displayName}
              {m.represents ? <span class="muted"> · {m.represents}</span> : null}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
