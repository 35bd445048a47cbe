/**
 * Who a message mentions, decided on the server: the ids a client names (each must be a member
 * who may see the thread, or 400) and every such member the text names as "@Display Name"
 * (shared/mentions.ts). A name of someone who may not see the thread notifies nobody.
 */
import { canSeeThread, type ThreadVisibility } from '../../shared/comments.js';
import { mentionedIn } from '../../shared/mentions.js';
import { can, HttpError } from '../auth/policy.js';
import type { ReportRecord, Storage } from '../storage/types.js';
import { viewerOf } from './access.js';

export interface ThreadAudience {
  visibility: ThreadVisibility;
  delegation: string | null;
  authorId: string;
}

export async function mentionsIn(
  storage: Storage,
  report: ReportRecord,
  body: string,
  ids: readonly string[],
  audience: ThreadAudience,
): Promise<string[]> {
  for (const id of ids) {
    const m = await storage.getMembership(report.groupId!, id);
    if (!m || !canSeeThread(viewerOf(m), audience))
      throw new HttpError(400, `Cannot mention ${id}: not a member who can see this thread.`);
  }
  if (!body.includes('@')) return [...ids];
  const members = (await storage.listMembers(report.groupId!)).filter(
    (m) => can(m, 'read') && canSeeThread(viewerOf(m), audience),
  );
  return [...new Set([...ids, ...mentionedIn(body, members)])];
}

/** The inbox rows for those mentioned, the author aside. */
export function mentionNotices(
  mentioned: readonly string[],
  authorId: string,
): Array<{ userId: string; reason: 'mention' }> {
  return mentioned.filter((u) => u !== authorId).map((userId) => ({ userId, reason: 'mention' }));
}
