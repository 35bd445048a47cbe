/**
 * Report events on the sync socket: clients that connect with `events=<lastSeq>` get every
 * event after lastSeq that they may see (catch-up, read from storage), then each new event live.
 * Events are published only after their transaction has committed; each is encoded once (one
 * event has one audience) and the same bytes go to every socket that may see it. A subscriber
 * that is behind (catching up, or an event published out of order) is pumped from storage, so
 * nothing is skipped or sent twice.
 */
import type { FastifyBaseLogger } from 'fastify';
import { canSeeThread, parseAudienceKey, type Viewer } from '../../shared/comments.js';
import { encodeEvent } from '../../shared/protocol.js';
import type { Storage, StoredEvent } from '../storage/types.js';

/** The part of a sync connection the event hub needs. */
export interface EventSink {
  readonly isClosed: boolean;
  send(data: Uint8Array): void;
}

interface Subscriber {
  sink: EventSink;
  viewer: Viewer;
  cursor: number;
  busy: boolean;
  dirty: boolean;
}

export class ReportEvents {
  private readonly subs = new Map<string, Map<EventSink, Subscriber>>();

  constructor(
    private readonly storage: Storage,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Starts pushing to `sink`: first what it missed after `after`, then live. */
  subscribe(reportId: string, sink: EventSink, viewer: Viewer, after: number): void {
    if (sink.isClosed) return;
    let forReport = this.subs.get(reportId);
    if (!forReport) {
      forReport = new Map();
      this.subs.set(reportId, forReport);
    }
    const sub: Subscriber = { sink, viewer, cursor: after, busy: false, dirty: false };
    forReport.set(sink, sub);
    void this.pump(reportId, sub);
  }

  unsubscribe(reportId: string, sink: EventSink): void {
    const forReport = this.subs.get(reportId);
    if (!forReport) return;
    forReport.delete(sink);
    if (forReport.size === 0) this.subs.delete(reportId);
  }

  /** Sockets subscribed to a report (tests, metrics). */
  count(reportId: string): number {
    return this.subs.get(reportId)?.size ?? 0;
  }

  /** A committed event: to every subscriber that may see it. */
  publish(reportId: string, event: StoredEvent): void {
    const forReport = this.subs.get(reportId);
    if (!forReport) return;
    const audience = parseAudienceKey(event.audience);
    let frame: Uint8Array | null = null;
    for (const sub of forReport.values()) {
      if (sub.busy || sub.cursor !== event.seq - 1) {
        if (sub.cursor < event.seq) void this.pump(reportId, sub);
        continue;
      }
      sub.cursor = event.seq;
      if (!canSeeThread(sub.viewer, audience)) continue;
      frame ??= encodeEvent(event.payload);
      sub.sink.send(frame);
    }
  }

  /** Sends, from storage, every visible event after the subscriber's cursor. */
  private async pump(reportId: string, sub: Subscriber): Promise<void> {
    if (sub.busy) {
      sub.dirty = true;
      return;
    }
    sub.busy = true;
    try {
      do {
        sub.dirty = false;
        const events = await this.storage.listEvents(reportId, sub.cursor);
        for (const e of events) {
          if (sub.sink.isClosed) return;
          sub.cursor = e.seq;
          if (canSeeThread(sub.viewer, parseAudienceKey(e.audience)))
            sub.sink.send(encodeEvent(e.payload));
        }
      } while (sub.dirty && !sub.sink.isClosed);
    } catch (err) {
      this.log.error({ err, report: reportId }, 'could not read report events');
    } finally {
      sub.busy = false;
    }
  }
}
