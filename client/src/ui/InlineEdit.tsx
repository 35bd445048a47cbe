/**
 * Inline renaming: a text input shown in place of a title; Enter or leaving the field saves,
 * Escape cancels. While saving the input is disabled; on failure it stays open (the error goes
 * to `onError`). `onDone` is called once the input may go (saved or cancelled).
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export interface InlineEditProps {
  value: string;
  label: string;
  maxLength: number;
  testid?: string;
  /** Saves the new value; throw to keep editing. */
  commit(value: string): Promise<void>;
  onError(error: unknown): void;
  onDone(): void;
}

export function InlineEdit(props: InlineEditProps) {
  const input = useRef<HTMLInputElement>(null);
  const [saving, setSaving] = useState(false);
  // Refs, not state: the blur that disabling the input causes must see them at once.
  const busy = useRef(false);
  const finished = useRef(false);

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  const finish = () => {
    if (finished.current) return;
    finished.current = true;
    props.onDone();
  };

  const save = async () => {
    if (finished.current || busy.current) return;
    const value = (input.current?.value ?? '').trim();
    if (!value || value === props.value) {
      finish();
      return;
    }
    busy.current = true;
    setSaving(true);
    try {
      await props.commit(value);
      finish();
    } catch (error) {
      props.onError(error);
      setSaving(false);
      setTimeout(() => input.current?.focus(), 0);
    } finally {
      busy.current = false;
    }
  };

  return (
    <input
      ref={input}
      class="inline-edit"
      type="text"
      aria-label={props.label}
      maxLength={props.maxLength}
      data-testid={props.testid}
      defaultValue={props.value}
      disabled={saving}
      onKeyDown={(event) => {
        if (event.key === 'Enter') {
          event.preventDefault();
          void save();
        } else if (event.key === 'Escape') {
          event.preventDefault();
          finish();
        }
      }}
      onBlur={() => void save()}
    />
  );
}
