/**
 * The report's metadata on this page: loaded once, then kept current by the report events the
 * server pushes when the chair or the secretariat changes it (server/http/metadata-routes.ts).
 */
import { signal } from '@preact/signals';
import type { ReportEvent } from '../../../shared/events.js';
import type { MetadataView } from '../../../shared/metadata.js';
import { getMetadata } from '../api.js';

export class MetadataStore {
  readonly value = signal<MetadataView | null>(null);

  /** Reads the metadata; a pushed change that arrived meanwhile is kept if it is newer. */
  async load(reportId: string): Promise<void> {
    const loaded = await getMetadata(reportId);
    const now = this.value.peek();
    if (!now || (now.updatedAt ?? '') <= (loaded.updatedAt ?? '')) this.value.value = loaded;
  }

  /** A pushed event; true when it was a metadata change. */
  applyEvent(event: ReportEvent): boolean {
    if (event.type !== 'metadata') return false;
    this.value.value = event.metadata;
    return true;
  }
}
