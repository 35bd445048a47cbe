/** What the comment routes accept (threads, messages, the inbox): server/comments/routes.ts. */
import { type Static, Type } from 'typebox';
import {
  COMMENT_MAX,
  IDEMPOTENCY_KEY_MAX,
  THREAD_KINDS,
  THREAD_VISIBILITIES,
} from '../comments.js';
import { PROSE_PATTERN } from '../input.js';
import { closed, ObjectId } from './common.js';

const Text = Type.String({ minLength: 1, maxLength: COMMENT_MAX, pattern: PROSE_PATTERN });
const IdempotencyKey = Type.String({ minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX });
const Mentions = Type.Array(ObjectId, { maxItems: 50, uniqueItems: true });

/** The :tid of /api/threads/:tid… */
export const ThreadParams = Type.Object({ tid: ObjectId });
export type ThreadParams = Static<typeof ThreadParams>;

/** The :mid of /api/messages/:mid and /api/inbox/:mid/read */
export const MessageParams = Type.Object({ mid: ObjectId });
export type MessageParams = Static<typeof MessageParams>;

/** POST /api/reports/:id/threads (the idempotency key makes a resend harmless) */
export const NewThreadRequest = Type.Object(
  {
    paragraphId: Type.String({ minLength: 1, maxLength: 64 }),
    kind: Type.Enum(THREAD_KINDS),
    visibility: Type.Optional(Type.Enum(THREAD_VISIBILITIES)),
    body: Text,
    quote: Type.Optional(Text),
    proposal: Type.Optional(Text),
    mentions: Type.Optional(Mentions),
    idempotencyKey: IdempotencyKey,
  },
  closed,
);
export type NewThreadRequest = Static<typeof NewThreadRequest>;

/** POST /api/threads/:tid/messages */
export const ReplyRequest = Type.Object(
  { body: Text, mentions: Type.Optional(Mentions), idempotencyKey: IdempotencyKey },
  closed,
);
export type ReplyRequest = Static<typeof ReplyRequest>;

/** PATCH /api/messages/:mid */
export const EditMessageRequest = Type.Object({ body: Text }, closed);
export type EditMessageRequest = Static<typeof EditMessageRequest>;

/** GET /api/reports/:id/threads/export?format= */
export const ThreadExportQuery = Type.Object(
  { format: Type.Optional(Type.Enum(['csv', 'json'])) },
  closed,
);
export type ThreadExportQuery = Static<typeof ThreadExportQuery>;
