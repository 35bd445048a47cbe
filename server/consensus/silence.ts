/**
 * The silence scheduler: keeps every running silence procedure's deadline with the server's
 * clock. At the deadline a silence nobody broke is adopted (its paragraphs become agreed), in one
 * transaction with its audit event and report events, which are then pushed and the locks
 * refreshed. On start, silences whose deadline passed while the server was down are settled at
 * once; one broken before its deadline stays broken (its break time is recorded). Deadlines live
 * in storage, so nothing is lost across restarts.
 */
import type { FastifyInstance } from 'fastify';
import type { SilenceView } from '../../shared/consensus.js';
import { afterConsensusCommit } from './publish.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Keeps silence deadlines (server/consensus/silence.ts). */
    silences: SilenceScheduler;
  }
}

/** setTimeout's longest delay; a later deadline is re-armed when this one fires. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** After a storage fault, try again this soon. */
const RETRY_MS = 5000;

export class SilenceScheduler {
  private timer: NodeJS.Timeout | null = null;
  private work: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly app: FastifyInstance) {}

  /** Settles overdue silences, then waits for the next deadline (again after stop()). */
  start(): Promise<void> {
    this.stopped = false;
    return this.poke();
  }

  /** Reads the running silences again (after one was started, broken or cancelled). */
  poke(): Promise<void> {
    this.work = this.work
      .then(() => this.run())
      .catch((err: unknown) => this.app.log.error({ err }, 'silence scheduler failed'));
    return this.work;
  }

  /** Stops the timer and waits for a settlement in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.clear();
    await this.work;
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    this.clear();
    let next: number | null = null;
    try {
      for (const s of await this.app.storage.listRunningSilences()) {
        const due = Date.parse(s.deadline);
        if (due <= Date.now()) {
          if (!(await this.settle(s))) next = Math.min(next ?? Infinity, Date.now() + RETRY_MS);
        } else next = Math.min(next ?? Infinity, due);
      }
    } catch (err) {
      this.app.log.error({ err }, 'could not read running silence procedures');
      next = Date.now() + RETRY_MS;
    }
    if (next === null || this.stopped) return;
    const delay = Math.min(Math.max(next - Date.now(), 0), MAX_TIMEOUT_MS);
    this.timer = setTimeout(() => void this.poke(), delay);
    this.timer.unref();
  }

  /** Adopts one silence whose deadline passed. False when storage failed (retried later). */
  private async settle(s: SilenceView): Promise<boolean> {
    const at = new Date().toISOString();
    try {
      const report = await this.app.storage.getReport(s.reportId);
      const result = await this.app.storage.applyConsensusCommand(
        s.reportId,
        { type: 'settle-silence', silenceId: s.id, at },
        {
          at,
          groupId: report?.groupId ?? null,
          actorId: null,
          actor: 'Concord (silence deadline)',
          action: 'silence.adopt',
          target: s.id,
          detail: { report: s.reportId, paragraphs: s.paragraphIds, deadline: s.deadline },
          ip: null,
          requestId: null,
        },
      );
      if (result.changed) {
        this.app.log.info({ silence: s.id, report: s.reportId }, 'silence procedure adopted');
        await afterConsensusCommit(this.app, s.reportId, result.events, true);
      }
      return true;
    } catch (err) {
      this.app.log.error({ err, silence: s.id }, 'could not settle a silence procedure');
      return false;
    }
  }
}
