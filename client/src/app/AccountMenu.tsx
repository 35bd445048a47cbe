/** The account menu at the right of the header: name, role and State, log out. */
import { useRef, useState } from 'preact/hooks';
import { currentMe, currentMembership } from '../auth.js';
import { roleAndState } from '../identity.js';
import { hasUnsavedChanges } from '../sync/session.js';
import { useDismissableDetails } from '../ui/dismiss.js';
import { logOut } from './account.js';
import { ACCOUNT_HREF } from './routes.js';

export function AccountMenu() {
  const me = currentMe();
  const group = currentMembership();
  const details = useRef<HTMLDetailsElement>(null);
  const [confirming, setConfirming] = useState(false);

  // Closed by a click elsewhere or Escape (the focus goes back to the summary).
  useDismissableDetails(details);

  if (!me) return <div class="account" data-testid="account" hidden />;
  const role = group ? roleAndState(group.role, group.represents) : '';
  return (
    <div class="account" data-testid="account">
      <details
        class="account-menu"
        ref={details}
        onToggle={() => {
          if (!details.current?.open) setConfirming(false);
        }}
      >
        <summary
          title={group ? `${me.user.displayName} — ${role} in ${group.name}` : me.user.displayName}
        >
          <span class="user-swatch" aria-hidden="true" style={{ backgroundColor: me.user.color }} />
          <span class="account-text">
            <span class="account-name" data-testid="account-name">
              {me.user.displayName}
            </span>
            {role ? (
              <span class="account-role" data-testid="account-role">
                {role}
              </span>
            ) : null}
          </span>
        </summary>
        <div class="menu" role="menu">
          <p class="menu-email">{me.user.email}</p>
          {group ? <p class="menu-group">{`${role} in ${group.name}`}</p> : null}
          <a class="menu-item" href={ACCOUNT_HREF} data-testid="account-link">
            My account and password
          </a>
          <button
            class="menu-item"
            type="button"
            data-testid="logout"
            onClick={() => {
              if (hasUnsavedChanges() && !confirming) {
                setConfirming(true);
                return;
              }
              if (details.current) details.current.open = false;
              void logOut();
            }}
          >
            {confirming
              ? 'Changes not saved yet (logging out deletes them from this browser): log out anyway?'
              : 'Log out'}
          </button>
        </div>
      </details>
    </div>
  );
}
