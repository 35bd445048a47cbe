/**
 * Consensus tracking as commands: paragraph statuses, delegations' positions and silence
 * procedures. Each route validates its body by schema, asks the policy (shared/roles.ts through
 * server/auth/policy.ts, and STATUS_TRANSITIONS for which action a status change needs), stores
 * the command with its audit event and report events in one transaction, then pushes the events
 * to every client of the report and refreshes the text locks (server/consensus/publish.ts).
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PersonView } from '../../shared/comments.js';
import {
  AGREEMENT_STATUSES,
  CONSENSUS_NOTE_MAX,
  type ConsensusResponse,
  DEFAULT_STATUS,
  hasBrackets,
  isReopening,
  PARAGRAPH_STATUSES,
  type ParagraphHistoryResponse,
  type ParagraphStatus,
  POSITION_LABELS,
  POSITIONS,
  type Position,
  type RecordPositionResponse,
  type SetStatusResponse,
  SILENCE_MAX_MS,
  type SilenceResponse,
  STATUS_LABELS,
  type StatusView,
  transitionAction,
} from '../../shared/consensus.js';
import { PROSE_PATTERN } from '../../shared/input.js';
import { REPORT_ID_PATTERN } from '../../shared/protocol.js';
import { isTextBlock } from '../../shared/schema.js';
import { negotiatedText } from '../../shared/text.js';
import { can, HttpError } from '../auth/policy.js';
import { requireLogin } from '../http/auth-routes.js';
import { reportToProseMirror } from '../reports.js';
import { layeredNumbering, numberingLayer } from '../revisions/numbering.js';
import {
  type AuditEvent,
  ConflictError,
  type ConsensusCommand,
  type ConsensusCommandResult,
  type MemberRecord,
  type ReportRecord,
} from '../storage/types.js';
import { agreedTextHash, identifiedNode } from './agreed-text.js';
import { afterConsensusCommit } from './publish.js';

const ID = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } as const;
const note = {
  type: 'string',
  minLength: 1,
  maxLength: CONSENSUS_NOTE_MAX,
  pattern: PROSE_PATTERN,
} as const;
const reportParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: REPORT_ID_PATTERN } },
} as const;
const paragraphParams = {
  type: 'object',
  required: ['id', 'pid'],
  properties: { id: reportParams.properties.id, pid: ID },
} as const;
const silenceParams = { type: 'object', required: ['sid'], properties: { sid: ID } } as const;

/** Most paragraphs one silence procedure may cover (a whole report is a few hundred). */
const SILENCE_PARAGRAPHS_MAX = 1000;

const newId = (prefix: string) => `${prefix}_${crypto.randomBytes(12).toString('base64url')}`;

/** A paragraph of the live text: its current words and its citation ("13 (a)"). */
interface ParagraphInfo {
  text: string;
  citation: string;
}

/** Paragraph id → text and number, read from the live Y.Doc (loaded if needed). */
async function paragraphsOf(
  app: FastifyInstance,
  reportId: string,
): Promise<Map<string, ParagraphInfo>> {
  const layer = await numberingLayer(app, reportId);
  return app.registry.withReport(reportId, (live) => {
    const doc = reportToProseMirror(live.ydoc());
    const numbers = layeredNumbering(doc, layer).paragraphs;
    const out = new Map<string, ParagraphInfo>();
    doc.descendants((node) => {
      if (!isTextBlock(node)) return !node.isTextblock;
      const id = node.attrs['id'] as string | null;
      if (id) {
        out.set(id, { text: negotiatedText(node).text, citation: numbers.get(id)?.citation ?? id });
      }
      return false;
    });
    return out;
  });
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function duration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} days`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hours`;
  if (ms % 60_000 === 0) return `${ms / 60_000} minutes`;
  return `${ms / 1000} seconds`;
}

export async function consensusRoutes(app: FastifyInstance): Promise<void> {
  const { storage } = app;

  /** The report and the caller's membership; 404 for strangers and unknown reports. */
  async function reportAccess(req: FastifyRequest, reportId: string) {
    const auth = requireLogin(req);
    const report = await storage.getReport(reportId);
    if (!report?.groupId) throw new HttpError(404, 'No such report.');
    const member = await storage.getMembership(report.groupId, auth.user.id);
    if (!member || !can(member, 'read')) throw new HttpError(404, 'No such report.');
    return { report, member };
  }

  /** A silence procedure of a report the caller belongs to (404 otherwise). */
  async function silenceAccess(req: FastifyRequest, silenceId: string) {
    requireLogin(req);
    const silence = await storage.getSilence(silenceId);
    if (!silence) throw new HttpError(404, 'No such silence procedure.');
    const access = await reportAccess(req, silence.reportId).catch((err: unknown) => {
      if (err instanceof HttpError && err.statusCode === 404)
        throw new HttpError(404, 'No such silence procedure.');
      throw err;
    });
    return { silence, ...access };
  }

  function need(member: MemberRecord, action: Parameters<typeof can>[1], what: string): void {
    if (!can(member, action)) throw new HttpError(403, `Your role in this group cannot ${what}.`);
  }

  function person(req: FastifyRequest, member: MemberRecord): PersonView {
    return {
      id: member.userId,
      name: req.auth!.user.displayName,
      role: member.role,
      represents: member.represents,
    };
  }

  /** Stores the command (one transaction), then pushes its events and refreshes the locks. */
  async function run(
    req: FastifyRequest,
    report: ReportRecord,
    command: ConsensusCommand,
    audit: Pick<AuditEvent, 'action' | 'target' | 'detail'>,
  ): Promise<ConsensusCommandResult> {
    const result = await storage
      .applyConsensusCommand(
        report.id,
        command,
        app.auditEvent(req, { ...audit, groupId: report.groupId }),
      )
      .catch((err: unknown) => {
        if (err instanceof ConflictError)
          throw new HttpError(err.code === 'not-found' ? 404 : 409, err.message);
        throw err;
      });
    if (result.changed)
      await afterConsensusCommit(app, report.id, result.events, command.type !== 'position');
    if (command.type.endsWith('-silence')) void app.silences.poke();
    return result;
  }

  app.get<{ Params: { id: string } }>(
    '/api/reports/:id/consensus',
    { schema: { params: reportParams } },
    async (req) => {
      const { report } = await reportAccess(req, req.params.id);
      const stored = await storage.getConsensus(report.id);
      const states = [
        ...new Set(
          (await storage.listMembers(report.groupId!))
            .filter((m) => m.role === 'expert' && m.represents)
            .map((m) => m.represents!),
        ),
      ].sort((a, b) => a.localeCompare(b));
      const body: ConsensusResponse = { ...stored, states, ripeRule: app.config.ripeRule };
      return body;
    },
  );

  app.get<{ Params: { id: string; pid: string } }>(
    '/api/reports/:id/paragraphs/:pid/history',
    { schema: { params: paragraphParams } },
    async (req) => {
      const { report } = await reportAccess(req, req.params.id);
      const body: ParagraphHistoryResponse = await storage.getParagraphHistory(
        report.id,
        req.params.pid,
      );
      return body;
    },
  );

  app.post<{
    Params: { id: string; pid: string };
    Body: { status: ParagraphStatus; note?: string };
  }>(
    '/api/reports/:id/paragraphs/:pid/status',
    {
      schema: {
        params: paragraphParams,
        body: {
          type: 'object',
          required: ['status'],
          additionalProperties: false,
          properties: { status: { type: 'string', enum: [...PARAGRAPH_STATUSES] }, note },
        },
      },
    },
    async (req) => {
      const { report, member } = await reportAccess(req, req.params.id);
      if (!can(member, 'setStatus') && !can(member, 'declareAgreement'))
        throw new HttpError(403, 'Your role in this group cannot set a paragraph status.');
      const pid = req.params.pid;
      const to = req.body.status;
      const paragraph = (await paragraphsOf(app, report.id)).get(pid);
      if (!paragraph) throw new HttpError(404, `No paragraph ${pid} in this report.`);
      const consensus = await storage.getConsensus(report.id);
      const current = consensus.statuses.find((s) => s.paragraphId === pid);
      const from = current?.status ?? DEFAULT_STATUS;
      if (from === to) {
        // Nothing to change; still only for those who could have set it.
        need(
          member,
          AGREEMENT_STATUSES.has(to) ? 'declareAgreement' : 'setStatus',
          'set this status',
        );
        const status: StatusView = current ?? {
          paragraphId: pid,
          status: from,
          from,
          note: null,
          by: null,
          at: report.createdAt,
          seq: 0,
        };
        const body: SetStatusResponse = { status };
        return body;
      }
      const action = transitionAction(from, to);
      if (!action)
        throw new HttpError(
          409,
          `Paragraph ${paragraph.citation} cannot go from ${STATUS_LABELS[from]} to ${STATUS_LABELS[to]}.`,
        );
      if (!can(member, action))
        throw new HttpError(
          403,
          AGREEMENT_STATUSES.has(from)
            ? 'Only the chair can reopen agreed text.'
            : AGREEMENT_STATUSES.has(to)
              ? 'Only the chair can declare a paragraph agreed.'
              : 'Your role in this group cannot set this status.',
        );
      const reason = req.body.note?.trim() ?? null;
      if (isReopening(from, to) && !reason)
        throw new HttpError(400, 'Reopening agreed text needs a reason (note).');
      if (consensus.silences.some((s) => s.state === 'running' && s.paragraphIds.includes(pid)))
        throw new HttpError(
          409,
          `Paragraph ${paragraph.citation} is under a silence procedure: its status cannot change until it ends.`,
        );
      const command: ConsensusCommand = {
        type: 'status',
        paragraphId: pid,
        from,
        to,
        note: reason,
        by: person(req, member),
        at: new Date().toISOString(),
      };
      const audit = {
        action: isReopening(from, to) ? 'paragraph.reopen' : 'paragraph.status',
        target: pid,
        detail: { report: report.id, from, to, note: reason } as Record<string, unknown>,
      };
      const result = !AGREEMENT_STATUSES.has(to)
        ? await run(req, report, command, audit)
        : await app.registry.withReport(report.id, async (live) => {
            // One synchronous step: the text as it is now, its brackets, and its lock. No edit
            // can come between the check and the lock; the agreed text's hash is recorded.
            const node = identifiedNode(reportToProseMirror(live.ydoc()), pid);
            if (!node) throw new HttpError(404, `No paragraph ${pid} in this report.`);
            if (hasBrackets(node.textContent))
              throw new HttpError(
                409,
                `Paragraph ${paragraph.citation} still has square brackets: remove every [ ] before it can be ${STATUS_LABELS[to].toLowerCase()}.`,
              );
            const release = live.holdLock(pid);
            try {
              audit.detail['textHash'] = agreedTextHash(node);
              return await run(req, report, command, audit);
            } finally {
              release();
            }
          });
      const body: SetStatusResponse = { status: result.status! };
      return body;
    },
  );

  app.post<{
    Params: { id: string; pid: string };
    Body: { position: Position; explanation?: string };
  }>(
    '/api/reports/:id/paragraphs/:pid/position',
    {
      schema: {
        params: paragraphParams,
        body: {
          type: 'object',
          required: ['position'],
          additionalProperties: false,
          properties: { position: { type: 'string', enum: [...POSITIONS] }, explanation: note },
        },
      },
    },
    async (req) => {
      const { report, member } = await reportAccess(req, req.params.id);
      need(member, 'recordPosition', "record a State's position");
      const state = member.represents;
      if (!state)
        throw new HttpError(403, 'Only an expert representing a State records a position.');
      const pid = req.params.pid;
      const paragraph = (await paragraphsOf(app, report.id)).get(pid);
      if (!paragraph) throw new HttpError(404, `No paragraph ${pid} in this report.`);
      const { position } = req.body;
      const explanation = req.body.explanation?.trim() ?? null;
      const by = person(req, member);
      const at = new Date().toISOString();
      const threadId = newId('t');
      const result = await run(
        req,
        report,
        {
          type: 'position',
          paragraphId: pid,
          state,
          position,
          explanation,
          by,
          at,
          thread: explanation
            ? {
                command: {
                  type: 'open',
                  idempotencyKey: `position:${threadId}`,
                  thread: {
                    id: threadId,
                    paragraphId: pid,
                    kind: 'comment',
                    visibility: 'group',
                    delegation: null,
                    quote: null,
                    proposal: null,
                  },
                  message: {
                    id: newId('m'),
                    author: by,
                    body: `Position of ${state}: ${POSITION_LABELS[position]} — ${explanation}`,
                    mentions: [],
                    at,
                  },
                },
                audit: app.auditEvent(req, {
                  action: 'thread.open',
                  groupId: report.groupId,
                  target: threadId,
                  detail: { report: report.id, position: true },
                }),
              }
            : null,
        },
        {
          action: 'paragraph.position',
          target: pid,
          detail: { report: report.id, state, position, explanation },
        },
      );
      const body: RecordPositionResponse = {
        position: result.position!,
        thread: result.thread ?? null,
      };
      return body;
    },
  );

  app.post<{
    Params: { id: string };
    Body: { paragraphIds: string[]; deadline: string; timeZone: string };
  }>(
    '/api/reports/:id/silences',
    {
      schema: {
        params: reportParams,
        body: {
          type: 'object',
          required: ['paragraphIds', 'deadline', 'timeZone'],
          additionalProperties: false,
          properties: {
            paragraphIds: {
              type: 'array',
              minItems: 1,
              maxItems: SILENCE_PARAGRAPHS_MAX,
              uniqueItems: true,
              items: ID,
            },
            deadline: { type: 'string', minLength: 1, maxLength: 64 },
            timeZone: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
      },
    },
    async (req, reply) => {
      const { report, member } = await reportAccess(req, req.params.id);
      need(member, 'runSilence', 'run a silence procedure');
      const b = req.body;
      const deadlineMs = Date.parse(b.deadline);
      if (!Number.isFinite(deadlineMs))
        throw new HttpError(400, `Not a date and time: "${b.deadline}" (use ISO 8601).`);
      const { silenceMinMs } = app.config;
      const ahead = deadlineMs - Date.now();
      if (ahead < silenceMinMs || ahead > SILENCE_MAX_MS)
        throw new HttpError(
          400,
          `The deadline must be between ${duration(silenceMinMs)} and ${duration(SILENCE_MAX_MS)} from now.`,
        );
      if (!validTimeZone(b.timeZone))
        throw new HttpError(400, `Unknown time zone "${b.timeZone}" (use an IANA name).`);
      const paragraphs = await paragraphsOf(app, report.id);
      const unknown = b.paragraphIds.filter((p) => !paragraphs.has(p));
      if (unknown.length > 0)
        throw new HttpError(400, `No paragraph ${unknown.join(', ')} in this report.`);
      const bracketed = b.paragraphIds.filter((p) => hasBrackets(paragraphs.get(p)!.text));
      if (bracketed.length > 0)
        throw new HttpError(
          409,
          `Paragraph ${bracketed.map((p) => paragraphs.get(p)!.citation).join(', ')} still has square brackets: only clean text goes under silence.`,
        );
      const consensus = await storage.getConsensus(report.id);
      const locked = await storage.lockedParagraphIds(report.id);
      // Text agreed ad referendum is locked, yet a silence is how its confirmation is often sought.
      const adRef = new Set(
        consensus.statuses.filter((x) => x.status === 'agreed_ad_ref').map((x) => x.paragraphId),
      );
      const taken = b.paragraphIds.filter((p) => locked.has(p) && !adRef.has(p));
      if (taken.length > 0) {
        const silenced = new Set(
          consensus.silences.filter((s) => s.state === 'running').flatMap((s) => s.paragraphIds),
        );
        throw new HttpError(
          409,
          `Paragraph ${taken.map((p) => paragraphs.get(p)!.citation).join(', ')} is already ${taken.some((p) => silenced.has(p)) ? 'under silence' : 'agreed'}.`,
        );
      }
      const id = newId('s');
      const deadline = new Date(deadlineMs).toISOString();
      const result = await app.registry.withReport(report.id, async (live) => {
        // One synchronous step: the texts as they are now, their brackets, and their locks.
        const doc = reportToProseMirror(live.ydoc());
        const hashes: Record<string, string> = {};
        for (const p of b.paragraphIds) {
          const node = identifiedNode(doc, p);
          if (!node || hasBrackets(node.textContent))
            throw new HttpError(
              409,
              `Paragraph ${paragraphs.get(p)?.citation ?? p} changed: only clean text goes under silence.`,
            );
          hashes[p] = agreedTextHash(node);
        }
        const releases = b.paragraphIds.map((p) => live.holdLock(p));
        try {
          return await run(
            req,
            report,
            {
              type: 'start-silence',
              id,
              paragraphIds: b.paragraphIds,
              deadline,
              timeZone: b.timeZone,
              by: person(req, member),
              at: new Date().toISOString(),
            },
            {
              action: 'silence.start',
              target: id,
              detail: {
                report: report.id,
                paragraphs: b.paragraphIds,
                deadline,
                timeZone: b.timeZone,
                textHashes: hashes,
              },
            },
          );
        } finally {
          for (const release of releases) release();
        }
      });
      const body: SilenceResponse = { silence: result.silence! };
      return reply.code(201).send(body);
    },
  );

  app.post<{ Params: { sid: string }; Body: { statement: string } }>(
    '/api/silences/:sid/break',
    {
      schema: {
        params: silenceParams,
        body: {
          type: 'object',
          required: ['statement'],
          additionalProperties: false,
          properties: { statement: note },
        },
      },
    },
    async (req) => {
      const { silence, report, member } = await silenceAccess(req, req.params.sid);
      need(member, 'breakSilence', 'break silence');
      const statement = req.body.statement.trim();
      const result = await run(
        req,
        report,
        {
          type: 'break-silence',
          silenceId: silence.id,
          statement,
          by: person(req, member),
          at: new Date().toISOString(),
        },
        { action: 'silence.break', target: silence.id, detail: { report: report.id, statement } },
      );
      const body: SilenceResponse = { silence: result.silence! };
      return body;
    },
  );

  app.post<{ Params: { sid: string } }>(
    '/api/silences/:sid/cancel',
    { schema: { params: silenceParams } },
    async (req) => {
      const { silence, report, member } = await silenceAccess(req, req.params.sid);
      need(member, 'runSilence', 'cancel a silence procedure');
      const result = await run(
        req,
        report,
        {
          type: 'cancel-silence',
          silenceId: silence.id,
          by: person(req, member),
          at: new Date().toISOString(),
        },
        { action: 'silence.cancel', target: silence.id, detail: { report: report.id } },
      );
      const body: SilenceResponse = { silence: result.silence! };
      return body;
    },
  );
}
