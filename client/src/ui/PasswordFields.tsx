/**
 * "New password" and "Repeat it": the pair every account form has. The parent makes a handle
 * (`usePasswordFields`) and asks `value()` on submit: the new password, or an Error that says
 * what is wrong (too short, too long, the two differ), with the focus on the field to fix.
 */
import { signal } from '@preact/signals';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { getPasswordPolicy } from '../api.js';
import { TextField } from './form.js';

/** Until the server tells (GET /api/password-policy); the server checks again anyway. */
const policy = signal({ min: 10, max: 256 });
let policyAsked = false;

function askPolicy(): void {
  if (policyAsked) return;
  policyAsked = true;
  getPasswordPolicy()
    .then((p) => {
      policy.value = p;
    })
    .catch(() => {});
}

export interface PasswordFieldsHandle {
  first: { current: HTMLInputElement | null };
  second: { current: HTMLInputElement | null };
  /** The new password, or throws an Error fit to show. */
  value(): string;
}

export function usePasswordFields(): PasswordFieldsHandle {
  const first = useRef<HTMLInputElement>(null);
  const second = useRef<HTMLInputElement>(null);
  return useMemo(
    () => ({
      first,
      second,
      value() {
        const { min, max } = policy.peek();
        const password = first.current?.value ?? '';
        if (password.length < min) {
          first.current?.focus();
          throw new Error(`The password needs at least ${min} characters.`);
        }
        if (password.length > max) {
          first.current?.focus();
          throw new Error(`The password may have at most ${max} characters.`);
        }
        if (password !== second.current?.value) {
          second.current?.focus();
          throw new Error('The two passwords differ.');
        }
        return password;
      },
    }),
    [],
  );
}

export function PasswordFields(props: {
  prefix: string;
  label?: string;
  handle: PasswordFieldsHandle;
}) {
  useEffect(askPolicy, []);
  const label = props.label ?? 'Password';
  const { min, max } = policy.value;
  return (
    <>
      <TextField
        id={`${props.prefix}-password`}
        label={label}
        type="password"
        autocomplete="new-password"
        required
        minLength={min}
        maxLength={max}
        help={`At least ${min} characters.`}
        inputRef={props.handle.first}
      />
      <TextField
        id={`${props.prefix}-password2`}
        label={`Repeat the ${label.toLowerCase()}`}
        type="password"
        autocomplete="new-password"
        required
        inputRef={props.handle.second}
      />
    </>
  );
}
