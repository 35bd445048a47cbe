/** Form pieces shared by the pages: labelled fields, an error line, a busy submit button. */
import { errorMessage, getPasswordPolicy } from '../api.js';
import { type Child, h } from './dom.js';

export interface InputOptions {
  id: string;
  type?: 'text' | 'email' | 'password';
  name?: string;
  autocomplete?: string;
  required?: boolean;
  maxLength?: number;
  minLength?: number;
  placeholder?: string;
  value?: string;
  testid?: string;
}

export function input(o: InputOptions): HTMLInputElement {
  const el = h('input', {
    attrs: {
      id: o.id,
      name: o.name ?? o.id,
      type: o.type ?? 'text',
      autocomplete: o.autocomplete ?? 'off',
      required: o.required ?? false,
      maxlength: o.maxLength,
      minlength: o.minLength,
      placeholder: o.placeholder,
      'data-testid': o.testid ?? o.id,
    },
  });
  if (o.value !== undefined) el.value = o.value;
  return el;
}

/** A label above a control, with optional help text under it. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement,
  help?: Child,
): HTMLElement {
  const helpEl = help
    ? h('p', { className: 'field-help', attrs: { id: `${control.id}-help` } }, help)
    : null;
  if (helpEl) control.setAttribute('aria-describedby', helpEl.id);
  return h(
    'div',
    { className: 'field' },
    h('label', { attrs: { for: control.id } }, label),
    control,
    helpEl,
  );
}

/** An alert line for a form: `show(error)` writes the server's message, `show(null)` clears it. */
export function formError(testid = 'form-error'): {
  element: HTMLElement;
  show(error: unknown): void;
} {
  const element = h('p', {
    className: 'form-error',
    attrs: { role: 'alert', 'data-testid': testid },
  });
  return {
    element,
    show(error: unknown) {
      element.textContent =
        error === null ? '' : typeof error === 'string' ? error : errorMessage(error);
    },
  };
}

/**
 * Runs `action` on submit with the button disabled; errors go to `onError`. Returns nothing:
 * the form never navigates by itself.
 */
export function onSubmit(
  form: HTMLFormElement,
  button: HTMLButtonElement,
  action: () => Promise<void>,
  onError: (error: unknown) => void,
): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    onError(null);
    action()
      .catch(onError)
      .finally(() => {
        button.disabled = false;
      });
  });
}

/** Formats an ISO date for people ("27 Nov 2026, 21:48"). */
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

/** Until the server tells (GET /api/password-policy); the server checks again anyway. */
let passwordMin = 10;
let passwordMax = 256;
let policyAsked = false;

/**
 * "New password" and "Repeat it" fields. `value()` returns the new password or throws an Error
 * that says what is wrong (too short, the two differ).
 */
export function newPasswordFields(
  prefix: string,
  label = 'Password',
): { elements: HTMLElement[]; value(): string } {
  const first = input({
    id: `${prefix}-password`,
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    minLength: passwordMin,
    maxLength: passwordMax,
  });
  const second = input({
    id: `${prefix}-password2`,
    type: 'password',
    autocomplete: 'new-password',
    required: true,
  });
  const help = h('span', null, `At least ${passwordMin} characters.`);
  if (!policyAsked) {
    policyAsked = true;
    getPasswordPolicy()
      .then((policy) => {
        passwordMin = policy.min;
        passwordMax = policy.max;
        help.textContent = `At least ${passwordMin} characters.`;
        first.minLength = passwordMin;
        first.maxLength = passwordMax;
      })
      .catch(() => {});
  }
  return {
    elements: [field(label, first, help), field(`Repeat the ${label.toLowerCase()}`, second)],
    value() {
      const password = first.value;
      if (password.length < passwordMin) {
        first.focus();
        throw new Error(`The password needs at least ${passwordMin} characters.`);
      }
      if (password.length > passwordMax) {
        first.focus();
        throw new Error(`The password may have at most ${passwordMax} characters.`);
      }
      if (password !== second.value) {
        second.focus();
        throw new Error('The two passwords differ.');
      }
      return password;
    },
  };
}
