/** After a consensus command commits: push its events, then refresh the report's text locks. */
import type { FastifyInstance } from 'fastify';
import type { StoredEvent } from '../storage/types.js';

/** Pushes committed events in order and, when locks may have changed, hands them to the registry. */
export async function afterConsensusCommit(
  app: FastifyInstance,
  reportId: string,
  events: readonly StoredEvent[],
  locksChanged: boolean,
): Promise<void> {
  for (const e of events) app.reportEvents.publish(reportId, e);
  if (locksChanged) await refreshLocks(app, reportId);
}

/**
 * The sync layer enforces locks on the live report (a no-op when it is not loaded; a report
 * that loads reads them itself). A storage fault here is logged: the command is committed.
 */
export async function refreshLocks(app: FastifyInstance, reportId: string): Promise<void> {
  try {
    app.registry.setLocks(reportId, await app.storage.lockedParagraphIds(reportId));
  } catch (err) {
    app.log.error({ err, report: reportId }, 'could not refresh paragraph locks');
  }
}
