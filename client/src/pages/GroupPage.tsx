/**
 * `#/g/<groupId>`: a group's members. Chair and secretariat (manageMembers) also see emails,
 * change roles and States, remove members, and create invitation links; they can download the
 * audit log (viewAudit). Everyone else sees the list only. The server decides every action;
 * controls a role cannot use are simply not shown.
 */
import { useEffect, useState } from 'preact/hooks';
import { roleCan } from '../../../shared/roles.js';
import { ApiRequestError, errorMessage, type GroupDetails, getGroup, type Member } from '../api.js';
import { Frame } from '../app/Frame.js';
import { go } from '../app/navigation.js';
import { useCurrentGroup, usePageTitle } from '../app/page.js';
import { LIST_HREF } from '../app/routes.js';
import { currentMe, refreshMe } from '../auth.js';
import { roleAndState } from '../identity.js';
import { AuditCard } from '../members/AuditCard.js';
import { InviteForm } from '../members/InviteForm.js';
import { MemberRow } from '../members/MemberRow.js';
import { FormError } from '../ui/form.js';

type Load =
  | { state: 'loading' }
  | { state: 'failed'; text: string }
  /** `n` counts the answers: the member list starts afresh from each. */
  | { state: 'ready'; details: GroupDetails; n: number };

function MembersCard(props: { details: GroupDetails; reload(): void }) {
  const { group, me } = props.details;
  const [members, setMembers] = useState(props.details.members);
  const [error, setError] = useState<unknown>(null);
  const canManage = roleCan(me.role, 'manageMembers');
  const myId = currentMe()?.user.id;

  const changed = async (member: Member) => {
    if (member.userId === myId) {
      // My own role changed: what I may do here may have changed too.
      await refreshMe();
      props.reload();
      return;
    }
    setMembers((all) => all.map((m) => (m.userId === member.userId ? member : m)));
  };
  const removed = async (member: Member) => {
    if (member.userId === myId) {
      await refreshMe();
      go(LIST_HREF);
      return;
    }
    setMembers((all) => all.filter((m) => m.userId !== member.userId));
  };

  return (
    <section class="card">
      <h1 data-testid="group-title">{group.name}</h1>
      <p class="muted">
        Your role:{' '}
        <strong data-testid="my-group-role">{roleAndState(me.role, me.represents)}</strong>
      </p>
      <h2>{`Members (${members.length})`}</h2>
      <div class="table-wrap">
        <table class="members" data-testid="members">
          <thead>
            <tr>
              <th scope="col">Name</th>
              {canManage ? <th scope="col">Email</th> : null}
              <th scope="col">Role</th>
              <th scope="col">State or organisation</th>
              {canManage ? (
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <MemberRow
                key={m.userId}
                groupId={group.id}
                member={m}
                myRole={me.role}
                isMe={m.userId === myId}
                canManage={canManage}
                onChanged={(member) => void changed(member)}
                onRemoved={(member) => void removed(member)}
                onError={setError}
              />
            ))}
          </tbody>
        </table>
      </div>
      <FormError testid="group-error" error={error} />
    </section>
  );
}

export function GroupPage({ groupId }: { groupId: string }) {
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const details = load.state === 'ready' ? load.details : null;
  usePageTitle(details ? `${details.group.name} · Concord` : 'Members · Concord');
  useCurrentGroup(groupId);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new `generation` asks again.
  useEffect(() => {
    let alive = true;
    getGroup(groupId)
      .then((details) => {
        if (alive)
          setLoad((old) => ({ state: 'ready', details, n: old.state === 'ready' ? old.n + 1 : 0 }));
      })
      .catch((e: unknown) => {
        if (!alive) return;
        const text =
          e instanceof ApiRequestError && (e.status === 404 || e.status === 400)
            ? 'There is no such group, or you are not a member of it.'
            : `Could not load the group: ${errorMessage(e)}`;
        setLoad({ state: 'failed', text });
      });
    return () => {
      alive = false;
    };
  }, [groupId, generation]);

  return (
    <Frame
      header={
        <>
          <a class="back-link" href={LIST_HREF} data-testid="back-link">
            ← Reports
          </a>
          <span class="header-title">{details?.group.name ?? 'Members'}</span>
        </>
      }
    >
      <div class="page group-page">
        {load.state === 'loading' ? <p class="muted">Loading…</p> : null}
        {load.state === 'failed' ? (
          <>
            <p class="banner is-fatal" role="alert">
              {load.text}
            </p>
            <p>
              <a href={LIST_HREF}>Back to the reports</a>
            </p>
          </>
        ) : null}
        {details ? (
          <>
            <MembersCard
              key={load.state === 'ready' ? load.n : 0}
              details={details}
              reload={() => setGeneration((g) => g + 1)}
            />
            {roleCan(details.me.role, 'manageMembers') ? (
              <InviteForm groupId={groupId} myRole={details.me.role} />
            ) : null}
            {roleCan(details.me.role, 'viewAudit') ? <AuditCard groupId={groupId} /> : null}
          </>
        ) : null}
      </div>
    </Frame>
  );
}
