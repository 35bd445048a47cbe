/** What the consensus routes accept (statuses, positions, silences): server/consensus/routes.ts. */
import { type Static, Type } from 'typebox';
import { CONSENSUS_NOTE_MAX, PARAGRAPH_STATUSES, POSITIONS } from '../consensus.js';
import { PROSE_PATTERN } from '../input.js';
import { closed, ObjectId, ReportId } from './common.js';

/** Most paragraphs one silence procedure may cover (a whole report is a few hundred). */
export const SILENCE_PARAGRAPHS_MAX = 1000;

const Note = Type.String({ minLength: 1, maxLength: CONSENSUS_NOTE_MAX, pattern: PROSE_PATTERN });

/** The :id and :pid of /api/reports/:id/paragraphs/:pid/… */
export const ParagraphParams = Type.Object({ id: ReportId, pid: ObjectId });
export type ParagraphParams = Static<typeof ParagraphParams>;

/** The :sid of /api/silences/:sid/… */
export const SilenceParams = Type.Object({ sid: ObjectId });
export type SilenceParams = Static<typeof SilenceParams>;

/** POST /api/reports/:id/paragraphs/:pid/status (a note is needed to reopen agreed text) */
export const SetStatusRequest = Type.Object(
  { status: Type.Enum(PARAGRAPH_STATUSES), note: Type.Optional(Note) },
  closed,
);
export type SetStatusRequest = Static<typeof SetStatusRequest>;

/** POST /api/reports/:id/paragraphs/:pid/position */
export const RecordPositionRequest = Type.Object(
  { position: Type.Enum(POSITIONS), explanation: Type.Optional(Note) },
  closed,
);
export type RecordPositionRequest = Static<typeof RecordPositionRequest>;

/** POST /api/reports/:id/silences (deadline: ISO 8601; timeZone: an IANA name) */
export const StartSilenceRequest = Type.Object(
  {
    paragraphIds: Type.Array(ObjectId, {
      minItems: 1,
      maxItems: SILENCE_PARAGRAPHS_MAX,
      uniqueItems: true,
    }),
    deadline: Type.String({ minLength: 1, maxLength: 64 }),
    timeZone: Type.String({ minLength: 1, maxLength: 64 }),
  },
  closed,
);
export type StartSilenceRequest = Static<typeof StartSilenceRequest>;

/** POST /api/silences/:sid/break */
export const BreakSilenceRequest = Type.Object({ statement: Note }, closed);
export type BreakSilenceRequest = Static<typeof BreakSilenceRequest>;
