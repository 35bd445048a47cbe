/**
 * `#/invite/<token>`: an invitation to a group, with a role (and a State). Shows what it is,
 * and creates the account; a used, expired or unknown link says so.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ROLE_LABELS } from '../../../shared/roles.js';
import {
  ApiRequestError,
  acceptInvitation,
  errorMessage,
  getInvitation,
  type Invitation,
} from '../api.js';
import { signedIn } from '../app/account.js';
import { Frame } from '../app/Frame.js';
import { usePageTitle } from '../app/page.js';
import { currentMe } from '../auth.js';
import { roleAndState } from '../identity.js';
import { FormError, formatDate, TextField, useSubmit } from '../ui/form.js';
import { PasswordFields, usePasswordFields } from '../ui/PasswordFields.js';

const ASK_AGAIN = 'Ask the chair of your group or the Secretariat for a new link.';

interface Problem {
  title: string;
  text: string;
}

function ProblemCard({ title, text }: Problem) {
  return (
    <div class="card auth-card" data-testid="invite-problem">
      <h1>{title}</h1>
      <p class="banner is-fatal" role="alert">
        {text}
      </p>
      <p>
        <a href="#/login">Go to the login page</a>
      </p>
    </div>
  );
}

function Summary({ inv }: { inv: Invitation }) {
  return (
    <dl class="invite-summary" data-testid="invite-summary">
      <dt>Group</dt>
      <dd data-testid="invite-group">{inv.group.name}</dd>
      <dt>Role</dt>
      <dd data-testid="invite-role">{ROLE_LABELS[inv.role] ?? inv.role}</dd>
      {inv.represents ? <dt>Representing</dt> : null}
      {inv.represents ? <dd data-testid="invite-represents">{inv.represents}</dd> : null}
      <dt>Link valid until</dt>
      <dd>{formatDate(inv.expiresAt)}</dd>
    </dl>
  );
}

function AcceptForm(props: { token: string; inv: Invitation; onProblem(p: Problem): void }) {
  const { inv } = props;
  const name = useRef<HTMLInputElement>(null);
  const email = useRef<HTMLInputElement>(null);
  const passwords = usePasswordFields();
  const me = currentMe();
  useEffect(() => name.current?.focus(), []);

  const submit = useSubmit(async () => {
    const displayName = name.current?.value.trim() ?? '';
    const address = email.current?.value.trim() ?? '';
    if (!displayName) throw new Error('Enter your name.');
    if (!address) throw new Error('Enter your email address.');
    const password = passwords.value();
    try {
      signedIn(await acceptInvitation(props.token, { email: address, displayName, password }));
    } catch (e) {
      if (e instanceof ApiRequestError && (e.status === 410 || e.status === 404)) {
        props.onProblem({
          title: 'This invitation cannot be used',
          text: `${e.message} ${ASK_AGAIN}`,
        });
        return;
      }
      throw e;
    }
  });

  return (
    <form class="card auth-card" data-testid="invite-form" noValidate onSubmit={submit.onSubmit}>
      <h1>
        Join <span class="quoted">{inv.group.name}</span>
      </h1>
      <p>
        You are invited as <strong>{roleAndState(inv.role, inv.represents)}</strong>.
      </p>
      <Summary inv={inv} />
      {me ? (
        <p class="notice">
          {`You are logged in as ${me.user.displayName}. Accepting creates a new account and logs you in with it.`}
        </p>
      ) : null}
      <TextField
        id="invite-name"
        label="Your name"
        autocomplete="name"
        required
        maxLength={120}
        help='As the others will see it, e.g. "Ana Souza".'
        inputRef={name}
      />
      <TextField
        id="invite-email"
        label="Email"
        type="email"
        autocomplete="username"
        required
        maxLength={254}
        inputRef={email}
      />
      <PasswordFields prefix="invite" handle={passwords} />
      <FormError testid="invite-error" error={submit.error} />
      <div class="actions">
        <button class="primary" type="submit" data-testid="invite-submit" disabled={submit.busy}>
          Create my account and join
        </button>
      </div>
    </form>
  );
}

type State =
  | { kind: 'loading' }
  | { kind: 'open'; inv: Invitation }
  | { kind: 'problem'; problem: Problem };

/** What an invitation that cannot be accepted says. */
function problemOf(inv: Invitation): Problem | null {
  if (inv.state === 'used') {
    return {
      title: 'This invitation has been used',
      text: `This link to ${inv.group.name} has already been used to create an account. If that was you, log in. Otherwise: ${ASK_AGAIN}`,
    };
  }
  if (inv.state === 'expired') {
    return {
      title: 'This invitation has expired',
      text: `This link to ${inv.group.name} expired on ${formatDate(inv.expiresAt)}. ${ASK_AGAIN}`,
    };
  }
  return null;
}

export function InvitePage({ token }: { token: string }) {
  usePageTitle('Invitation · Concord');
  const [state, setState] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    let alive = true;
    getInvitation(token)
      .then((inv) => {
        if (!alive) return;
        const problem = problemOf(inv);
        setState(problem ? { kind: 'problem', problem } : { kind: 'open', inv });
      })
      .catch((e: unknown) => {
        if (!alive) return;
        const unknown = e instanceof ApiRequestError && e.status === 404;
        setState({
          kind: 'problem',
          problem: unknown
            ? {
                title: 'Invitation not found',
                text: `${errorMessage(e)} Check that you copied the whole link. ${ASK_AGAIN}`,
              }
            : { title: 'Could not load the invitation', text: errorMessage(e) },
        });
      });
    return () => {
      alive = false;
    };
  }, [token]);

  return (
    <Frame header={<span class="header-title">Invitation</span>}>
      <div class="page narrow-page">
        {state.kind === 'loading' ? (
          <p class="muted">Loading the invitation…</p>
        ) : state.kind === 'problem' ? (
          <ProblemCard {...state.problem} />
        ) : (
          <AcceptForm
            token={token}
            inv={state.inv}
            onProblem={(problem) => setState({ kind: 'problem', problem })}
          />
        )}
      </div>
    </Frame>
  );
}
