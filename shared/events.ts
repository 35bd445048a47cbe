/**
 * Report events: what the server pushes over the sync socket (MessageType.Event) about a report's
 * threads and consensus state. Its own module so that comments.ts and consensus.ts need not
 * import each other.
 */
import type { ThreadView } from './comments.js';
import type { PositionView, SilenceView, StatusView } from './consensus.js';
import type { MetadataView } from './metadata.js';
import type { NumberingEvent, RevisionEvent } from './revisions.js';

/** Pushed over the sync socket (MessageType.Event) to clients that may see it. */
export type ReportEvent =
  | { seq: number; type: 'thread'; thread: ThreadView }
  | { seq: number; type: 'status'; status: StatusView }
  | { seq: number; type: 'position'; position: PositionView }
  | { seq: number; type: 'silence'; silence: SilenceView }
  | { seq: number; type: 'metadata'; metadata: MetadataView }
  | RevisionEvent
  | NumberingEvent;
