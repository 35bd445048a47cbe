/**
 * One member of a group: name, email (for those who manage), role and State; and for those who
 * may touch this member, "Change role" (an inline form) and "Remove" (with a confirmation).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { REPRESENTING_ROLES, ROLE_LABELS, type Role } from '../../../shared/roles.js';
import { type Member, removeMember, updateMember } from '../api.js';
import { useSubmit } from '../ui/form.js';
import { assignableRoles, RoleSelect, representsFor, StateInput } from './RoleFields.js';

export interface MemberRowProps {
  groupId: string;
  member: Member;
  myRole: Role;
  isMe: boolean;
  canManage: boolean;
  /** The server changed the member (role, State). */
  onChanged(member: Member): void;
  onRemoved(member: Member): void;
  onError(error: unknown): void;
}

type Mode = 'view' | 'edit' | 'remove';

function EditForm(props: MemberRowProps & { onCancel(): void }) {
  const m = props.member;
  const [role, setRole] = useState<Role>(m.role);
  const [state, setState] = useState(m.represents ?? '');
  const select = useRef<HTMLSelectElement>(null);
  const stateInput = useRef<HTMLInputElement>(null);
  useEffect(() => select.current?.focus(), []);
  const submit = useSubmit(async () => {
    const represents = representsFor(role, state);
    if (REPRESENTING_ROLES.has(role) && !represents) {
      stateInput.current?.focus();
      throw new Error('An expert or observer represents a State or organisation.');
    }
    const updated = await updateMember(props.groupId, m.userId, role, represents);
    props.onChanged({ ...m, role: updated.role, represents: updated.represents });
  }, props.onError);
  return (
    <form class="member-edit" noValidate onSubmit={submit.onSubmit}>
      <RoleSelect
        id={`role-${m.userId}`}
        roles={assignableRoles(props.myRole)}
        value={role}
        testid="member-role-select"
        label={`Role of ${m.displayName}`}
        selectRef={select}
        onChange={setRole}
      />
      <StateInput
        id={`state-${m.userId}`}
        role={role}
        value={state}
        testid="member-state-input"
        label={`State or organisation of ${m.displayName}`}
        inputRef={stateInput}
        onInput={setState}
      />
      <button class="small primary" type="submit" data-testid="member-save" disabled={submit.busy}>
        Save
      </button>
      <button class="link-button" type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}

function RemoveConfirm(props: MemberRowProps & { onCancel(): void }) {
  const m = props.member;
  const confirm = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => confirm.current?.focus(), []);
  return (
    <>
      <span class="confirm-text">{`Remove ${m.displayName} from the group?`}</span>
      <button
        ref={confirm}
        class="small danger-button"
        type="button"
        data-testid="member-remove-confirm"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          props.onError(null);
          try {
            await removeMember(props.groupId, m.userId);
            props.onRemoved(m);
          } catch (e) {
            props.onError(e);
            setBusy(false);
          }
        }}
      >
        Remove
      </button>
      <button class="link-button" type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </>
  );
}

export function MemberRow(props: MemberRowProps) {
  const m = props.member;
  const [mode, setMode] = useState<Mode>('view');
  // A secretariat may not change or remove a chair.
  const mayTouch = props.canManage && (m.role !== 'chair' || props.myRole === 'chair');
  const back = () => setMode('view');
  return (
    <tr data-user-id={m.userId} data-testid="member">
      <td data-testid="member-name">
        {m.displayName}
        {props.isMe ? <span class="muted"> (you)</span> : null}
      </td>
      {props.canManage ? <td data-testid="member-email">{m.email ?? ''}</td> : null}
      <td data-testid="member-role">{ROLE_LABELS[m.role] ?? m.role}</td>
      <td data-testid="member-state">{m.represents ?? '—'}</td>
      {props.canManage ? (
        <td class="member-actions">
          {!mayTouch ? null : mode === 'edit' ? (
            <EditForm
              {...props}
              onChanged={(member) => {
                setMode('view');
                props.onChanged(member);
              }}
              onCancel={back}
            />
          ) : mode === 'remove' ? (
            <RemoveConfirm {...props} onCancel={back} />
          ) : (
            <>
              <button
                class="link-button"
                type="button"
                data-testid="member-edit"
                aria-label={`Change role: ${m.displayName}`}
                onClick={() => setMode('edit')}
              >
                Change role
              </button>
              <button
                class="link-button danger"
                type="button"
                data-testid="member-remove"
                aria-label={`Remove: ${m.displayName}`}
                onClick={() => setMode('remove')}
              >
                Remove
              </button>
            </>
          )}
        </td>
      ) : null}
    </tr>
  );
}
