/**
 * A role and, for experts and observers, the State or organisation they represent: the pair the
 * invitation form and the change-role form share. The State input is enabled and required only
 * for the roles that represent someone.
 */
import { REPRESENTING_ROLES, ROLE_LABELS, ROLES, type Role } from '../../../shared/roles.js';

/** Roles that `actor` may give (only a chair appoints a chair). */
export function assignableRoles(actor: Role): Role[] {
  return ROLES.filter((r) => r !== 'chair' || actor === 'chair');
}

/** The State to send for `role`: the trimmed text, or null for roles that represent nobody. */
export function representsFor(role: Role, text: string): string | null {
  return REPRESENTING_ROLES.has(role) ? text.trim() || null : null;
}

export function RoleSelect(props: {
  id: string;
  roles: Role[];
  value: Role;
  testid: string;
  label?: string;
  selectRef?: { current: HTMLSelectElement | null };
  onChange(role: Role): void;
}) {
  return (
    <select
      ref={props.selectRef}
      id={props.id}
      name="role"
      data-testid={props.testid}
      aria-label={props.label}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value as Role)}
    >
      {props.roles.map((r) => (
        <option key={r} value={r}>
          {ROLE_LABELS[r]}
        </option>
      ))}
    </select>
  );
}

export function StateInput(props: {
  id: string;
  role: Role;
  value: string;
  testid: string;
  label?: string;
  inputRef?: { current: HTMLInputElement | null };
  onInput(value: string): void;
}) {
  const needs = REPRESENTING_ROLES.has(props.role);
  return (
    <input
      id={props.id}
      name={props.id}
      type="text"
      autocomplete="off"
      maxLength={120}
      data-testid={props.testid}
      aria-label={props.label}
      value={props.value}
      disabled={!needs}
      required={needs}
      placeholder={needs ? 'e.g. Brazil, European Union' : 'Not for this role'}
      ref={props.inputRef}
      onInput={(e) => props.onInput(e.currentTarget.value)}
    />
  );
}
