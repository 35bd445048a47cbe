/**
 * Inline renaming: swaps an element for a text input; Enter or leaving the field saves,
 * Escape cancels. While saving the input is disabled; on failure it stays open.
 */
import { h } from './dom.js';

export interface InlineEditOptions {
  value: string;
  label: string;
  maxLength: number;
  testid?: string;
  /** Saves the new value; throw to keep editing (the error is passed to onError). */
  commit(value: string): Promise<void>;
  onError(error: unknown): void;
  /** Called after the input is gone (saved or cancelled). */
  done?(): void;
}

export function startInlineEdit(target: HTMLElement, options: InlineEditOptions): void {
  const input = h('input', {
    className: 'inline-edit',
    attrs: {
      type: 'text',
      'aria-label': options.label,
      maxlength: options.maxLength,
      'data-testid': options.testid,
    },
  });
  input.value = options.value;
  let finished = false;
  let saving = false;

  const finish = () => {
    if (finished) return;
    finished = true;
    input.replaceWith(target);
    options.done?.();
  };

  const save = async () => {
    if (finished || saving) return;
    const value = input.value.trim();
    if (!value || value === options.value) {
      finish();
      return;
    }
    saving = true;
    input.disabled = true;
    try {
      await options.commit(value);
      finish();
    } catch (error) {
      options.onError(error);
      input.disabled = false;
      input.focus();
    } finally {
      saving = false;
    }
  };

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      void save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      finish();
    }
  });
  input.addEventListener('blur', () => {
    if (!input.disabled) void save();
  });

  target.replaceWith(input);
  input.focus();
  input.select();
}
