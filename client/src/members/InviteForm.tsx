/** "Invite someone": a single-use, expiring link for one person, with a role (and a State). */
import { useRef, useState } from 'preact/hooks';
import { REPRESENTING_ROLES, type Role } from '../../../shared/roles.js';
import { type CreatedInvitation, createInvitation } from '../api.js';
import { roleAndState } from '../identity.js';
import { Field, FormError, formatDate, useSubmit } from '../ui/form.js';
import { assignableRoles, RoleSelect, representsFor, StateInput } from './RoleFields.js';

function CreatedLink({ inv }: { inv: CreatedInvitation }) {
  const [copied, setCopied] = useState('');
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <p>
        Send this link to the <strong>{roleAndState(inv.role, inv.represents)}</strong>
        {`. It works once, until ${formatDate(inv.expiresAt)}.`}
      </p>
      <div class="copy-row">
        <input
          ref={input}
          class="invite-url"
          type="text"
          readOnly
          aria-label="Invitation link"
          data-testid="new-invite-url"
          value={inv.url}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button
          class="small"
          type="button"
          data-testid="new-invite-copy"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(inv.url);
              setCopied('Copied.');
            } catch {
              input.current?.focus();
              input.current?.select();
              setCopied('Press Ctrl-C (⌘-C) to copy the selected link.');
            }
          }}
        >
          Copy link
        </button>
      </div>
      <span class="copy-status" role="status" data-testid="new-invite-copied">
        {copied}
      </span>
    </>
  );
}

export function InviteForm(props: { groupId: string; myRole: Role }) {
  const [role, setRole] = useState<Role>('expert');
  const [state, setState] = useState('');
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const stateInput = useRef<HTMLInputElement>(null);
  const submit = useSubmit(async () => {
    const represents = representsFor(role, state);
    if (REPRESENTING_ROLES.has(role) && !represents) {
      stateInput.current?.focus();
      throw new Error('An expert or observer represents a State or organisation: enter it.');
    }
    setCreated(await createInvitation(props.groupId, role, represents));
    setState('');
  });
  return (
    <form class="card" data-testid="new-invite" noValidate onSubmit={submit.onSubmit}>
      <h2>Invite someone</h2>
      <p class="field-help">
        A link for one person: it creates their account with this role. It can be used once and
        expires.
      </p>
      <div class="field-row">
        <Field label="Role" for="invite-new-role">
          <RoleSelect
            id="invite-new-role"
            roles={assignableRoles(props.myRole)}
            value={role}
            testid="new-invite-role"
            onChange={setRole}
          />
        </Field>
        <Field label="State or organisation" for="invite-new-state">
          <StateInput
            id="invite-new-state"
            role={role}
            value={state}
            testid="new-invite-state"
            inputRef={stateInput}
            onInput={setState}
          />
        </Field>
      </div>
      <FormError testid="new-invite-error" error={submit.error} />
      <div class="actions">
        <button
          class="primary"
          type="submit"
          data-testid="new-invite-submit"
          disabled={submit.busy}
        >
          Create invitation link
        </button>
      </div>
      <div class="invite-result" data-testid="new-invite-result">
        {created ? <CreatedLink inv={created} /> : null}
      </div>
    </form>
  );
}
