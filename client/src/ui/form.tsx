/** Form pieces shared by the pages: labelled fields, an error line, a busy submit, dates. */
import type { ComponentChildren, Ref } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { errorMessage } from '../api.js';

export interface InputProps {
  id: string;
  type?: 'text' | 'email' | 'password';
  name?: string;
  autocomplete?: string;
  required?: boolean;
  maxLength?: number;
  minLength?: number;
  placeholder?: string;
  /** The value at first render (the input is not controlled). */
  value?: string;
  disabled?: boolean;
  testid?: string;
  label?: string;
  describedBy?: string;
  inputRef?: Ref<HTMLInputElement>;
}

/** A text input whose value the form reads on submit (`inputRef`). */
export function Input(p: InputProps) {
  return (
    <input
      id={p.id}
      name={p.name ?? p.id}
      // (Preact's types tie some attributes to the input type; these three take the same ones.)
      type={(p.type ?? 'text') as 'text'}
      autocomplete={p.autocomplete ?? 'off'}
      required={p.required ?? false}
      maxLength={p.maxLength}
      minLength={p.minLength}
      placeholder={p.placeholder}
      defaultValue={p.value}
      disabled={p.disabled}
      aria-label={p.label}
      aria-describedby={p.describedBy}
      data-testid={p.testid ?? p.id}
      ref={p.inputRef}
    />
  );
}

/** The id of a field's help text (for the control's aria-describedby). */
export function helpId(controlId: string): string {
  return `${controlId}-help`;
}

/** A label above a control, with optional help text under it (give the control `helpId`). */
export function Field(props: {
  label: string;
  for: string;
  help?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={props.for}>{props.label}</label>
      {props.children}
      {props.help ? (
        <p class="field-help" id={helpId(props.for)}>
          {props.help}
        </p>
      ) : null}
    </div>
  );
}

/** A labelled text input (the usual case of `Field`). */
export function TextField(props: InputProps & { label: string; help?: ComponentChildren }) {
  const { label, help, ...input } = props;
  return (
    <Field label={label} for={input.id} help={help}>
      <Input {...input} label={undefined} describedBy={help ? helpId(input.id) : undefined} />
    </Field>
  );
}

/** The alert line of a form: the server's message (or ours), empty when there is none. */
export function FormError(props: { testid?: string; error: unknown }) {
  const text =
    props.error === null || props.error === undefined
      ? ''
      : typeof props.error === 'string'
        ? props.error
        : errorMessage(props.error);
  return (
    <p class="form-error" role="alert" data-testid={props.testid ?? 'form-error'}>
      {text}
    </p>
  );
}

export interface Submit {
  busy: boolean;
  error: unknown;
  setError(error: unknown): void;
  onSubmit(event: Event): void;
}

/**
 * Runs `action` on submit, once at a time (give the submit button `disabled={busy}`); what it
 * throws becomes `error` (or goes to `onError`, when the page shows it elsewhere). The form
 * never navigates by itself.
 */
export function useSubmit(action: () => Promise<void>, onError?: (error: unknown) => void): Submit {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // The flag the handler checks: a second submit before the re-render must not run it again.
  const running = useRef(false);
  return {
    busy,
    error,
    setError,
    onSubmit(event: Event) {
      event.preventDefault();
      if (running.current) return;
      running.current = true;
      setBusy(true);
      (onError ?? setError)(null);
      action()
        .catch((e: unknown) => (onError ?? setError)(e))
        .finally(() => {
          running.current = false;
          setBusy(false);
        });
    },
  };
}

/** Formats an ISO date for people ("27 Nov 2026, 21:48"). */
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}
