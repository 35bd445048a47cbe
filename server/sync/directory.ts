/**
 * Who is connected where: every open sync socket by user, so that logout, a role change or a
 * removal from a group reaches that user's open sockets at once.
 */
export interface DirectoryEntry {
  readonly userId: string;
  readonly sessionHash: string;
  readonly groupId: string;
  close(code: number, reason: string): void;
}

export class PeerDirectory {
  private readonly byUser = new Map<string, Set<DirectoryEntry>>();

  add(entry: DirectoryEntry): void {
    let set = this.byUser.get(entry.userId);
    if (!set) {
      set = new Set();
      this.byUser.set(entry.userId, set);
    }
    set.add(entry);
  }

  remove(entry: DirectoryEntry): void {
    const set = this.byUser.get(entry.userId);
    if (!set) return;
    set.delete(entry);
    if (set.size === 0) this.byUser.delete(entry.userId);
  }

  private closeWhere(
    userId: string,
    match: (e: DirectoryEntry) => boolean,
    code: number,
    reason: string,
  ): number {
    const set = this.byUser.get(userId);
    if (!set) return 0;
    let n = 0;
    for (const e of [...set]) {
      if (!match(e)) continue;
      e.close(code, reason);
      this.remove(e);
      n++;
    }
    return n;
  }

  /** Logout: the sockets opened with this session. */
  closeSession(sessionHash: string, code: number, reason: string): number {
    let n = 0;
    for (const userId of [...this.byUser.keys()])
      n += this.closeWhere(userId, (e) => e.sessionHash === sessionHash, code, reason);
    return n;
  }

  /** Password change: every other session of the user. */
  closeUserExceptSession(userId: string, keep: string, code: number, reason: string): number {
    return this.closeWhere(userId, (e) => e.sessionHash !== keep, code, reason);
  }

  /** Role change or removal: the user's sockets on the group's reports. */
  closeUserInGroup(userId: string, groupId: string, code: number, reason: string): number {
    return this.closeWhere(userId, (e) => e.groupId === groupId, code, reason);
  }

  countUser(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }
}
