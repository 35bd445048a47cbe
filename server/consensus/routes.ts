/**
 * Consensus tracking as commands: paragraph statuses and delegations' positions (silence
 * procedures: silence-routes.ts). Each route validates its body by schema (shared/routes/
 * consensus.ts), asks the policy (shared/roles.ts through server/auth/policy.ts, and
 * STATUS_TRANSITIONS for which action a status change needs), stores the command with its audit
 * event and report events in one transaction, then pushes the events to every client of the
 * report and refreshes the text locks (command.ts, publish.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AGREEMENT_STATUSES,
  type ConsensusResponse,
  DEFAULT_STATUS,
  hasBrackets,
  isReopening,
  type ParagraphHistoryResponse,
  POSITION_LABELS,
  type RecordPositionResponse,
  type SetStatusResponse,
  STATUS_LABELS,
  type StatusView,
  transitionAction,
} from '../../shared/consensus.js';
import { ReportParams } from '../../shared/routes/common.js';
import {
  ParagraphParams,
  RecordPositionRequest,
  SetStatusRequest,
} from '../../shared/routes/consensus.js';
import { can, HttpError } from '../auth/policy.js';
import { person } from '../comments/access.js';
import { mentionNotices, mentionsIn } from '../comments/mentions.js';
import { reportToProseMirror } from '../reports.js';
import type { ConsensusCommand } from '../storage/types.js';
import { agreedTextHash, identifiedNode } from './agreed-text.js';
import { need, newId, reportAccess, runConsensusCommand } from './command.js';
import { paragraphsOf } from './paragraphs.js';

export const consensusRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { storage } = app;

  app.get('/api/reports/:id/consensus', { schema: { params: ReportParams } }, async (req) => {
    const { report } = await reportAccess(app, req, req.params.id);
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
  });

  app.get(
    '/api/reports/:id/paragraphs/:pid/history',
    { schema: { params: ParagraphParams } },
    async (req) => {
      const { report } = await reportAccess(app, req, req.params.id);
      const body: ParagraphHistoryResponse = await storage.getParagraphHistory(
        report.id,
        req.params.pid,
      );
      return body;
    },
  );

  app.post(
    '/api/reports/:id/paragraphs/:pid/status',
    { schema: { params: ParagraphParams, body: SetStatusRequest } },
    async (req) => {
      const { report, member } = await reportAccess(app, req, req.params.id);
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
        ? await runConsensusCommand(app, req, report, command, audit)
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
              return await runConsensusCommand(app, req, report, command, audit);
            } finally {
              release();
            }
          });
      const body: SetStatusResponse = { status: result.status! };
      return body;
    },
  );

  app.post(
    '/api/reports/:id/paragraphs/:pid/position',
    { schema: { params: ParagraphParams, body: RecordPositionRequest } },
    async (req) => {
      const { report, member } = await reportAccess(app, req, req.params.id);
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
      // "@Full Name" in an explanation mentions that member, as in any group thread.
      const mentioned = explanation
        ? await mentionsIn(app.storage, report, explanation, [], {
            visibility: 'group',
            delegation: null,
            authorId: by.id,
          })
        : [];
      const result = await runConsensusCommand(
        app,
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
                    mentions: mentioned,
                    at,
                  },
                },
                notify: mentionNotices(mentioned, by.id),
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
};
