/**
 * Silence procedures: a chair puts clean paragraphs under silence until a deadline; a State
 * breaks it with a statement, the chair may cancel it; the scheduler (silence.ts) settles it at
 * the deadline. Texts are checked and locked in one synchronous step with the live Y.Doc.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { hasBrackets, SILENCE_MAX_MS, type SilenceResponse } from '../../shared/consensus.js';
import { ReportParams } from '../../shared/routes/common.js';
import {
  BreakSilenceRequest,
  SilenceParams,
  StartSilenceRequest,
} from '../../shared/routes/consensus.js';
import { HttpError } from '../auth/policy.js';
import { person } from '../comments/access.js';
import { reportToProseMirror } from '../reports.js';
import { agreedTextHash, identifiedNode } from './agreed-text.js';
import { need, newId, reportAccess, runConsensusCommand, silenceAccess } from './command.js';
import { paragraphsOf } from './paragraphs.js';

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

export const silenceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { storage } = app;

  app.post(
    '/api/reports/:id/silences',
    { schema: { params: ReportParams, body: StartSilenceRequest } },
    async (req, reply) => {
      const { report, member } = await reportAccess(app, req, req.params.id);
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
          return await runConsensusCommand(
            app,
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

  app.post(
    '/api/silences/:sid/break',
    { schema: { params: SilenceParams, body: BreakSilenceRequest } },
    async (req) => {
      const { silence, report, member } = await silenceAccess(app, req, req.params.sid);
      need(member, 'breakSilence', 'break silence');
      const statement = req.body.statement.trim();
      const result = await runConsensusCommand(
        app,
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

  app.post('/api/silences/:sid/cancel', { schema: { params: SilenceParams } }, async (req) => {
    const { silence, report, member } = await silenceAccess(app, req, req.params.sid);
    need(member, 'runSilence', 'cancel a silence procedure');
    const result = await runConsensusCommand(
      app,
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
  });
};
