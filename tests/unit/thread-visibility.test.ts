/** The visibility rule for threads reads the permission matrix: checked for every role. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canSeeThread } from '../../shared/comments.js';
import { ROLES, roleCan } from '../../shared/roles.js';

const author = 'u_author';

test("delegation threads: only roles with 'delegationThreads', and only of the same State", () => {
  for (const role of ROLES) {
    const same = canSeeThread(
      { userId: 'u_x', role, represents: 'Kenya' },
      { visibility: 'delegation', delegation: 'Kenya', authorId: author },
    );
    const other = canSeeThread(
      { userId: 'u_x', role, represents: 'Chile' },
      { visibility: 'delegation', delegation: 'Kenya', authorId: author },
    );
    assert.equal(same, roleCan(role, 'delegationThreads'), role);
    assert.equal(other, false, role);
  }
});

test("chair threads: roles with 'chairThreads', and the author whatever their role", () => {
  for (const role of ROLES) {
    const seen = canSeeThread(
      { userId: 'u_x', role, represents: null },
      { visibility: 'chair', delegation: null, authorId: author },
    );
    assert.equal(seen, roleCan(role, 'chairThreads'), role);
    assert.equal(
      canSeeThread(
        { userId: author, role, represents: null },
        { visibility: 'chair', delegation: null, authorId: author },
      ),
      true,
    );
  }
});

test('group threads: every member', () => {
  for (const role of ROLES) {
    assert.equal(
      canSeeThread(
        { userId: 'u_x', role, represents: null },
        { visibility: 'group', delegation: null, authorId: author },
      ),
      true,
    );
  }
});
