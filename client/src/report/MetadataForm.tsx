/**
 * The document's masthead details (symbol, distribution, date, original language, session and
 * agenda item, document type): shown to everyone in the report, edited in a form by the chair
 * and the secretariat (editMetadata). What the server stores comes back to every open page as
 * a report event (metadataStore.ts), so the form shows a colleague's change at once.
 */
import { useState } from 'preact/hooks';
import {
  DISTRIBUTIONS,
  DOCUMENT_TYPE_LABELS,
  DOCUMENT_TYPES,
  type DocumentMetadata,
  LANGUAGES,
  LINE_MAX,
  type MetadataView,
  SYMBOL_MAX,
} from '../../../shared/metadata.js';
import { roleCan } from '../../../shared/roles.js';
import { putMetadata } from '../api.js';
import { FormError, useSubmit } from '../ui/form.js';
import type { MetadataStore } from './metadataStore.js';
import type { SessionSignals } from './sessionSignals.js';

function summary(m: MetadataView): string {
  const parts = [
    m.symbol || 'No symbol yet',
    m.distribution,
    m.date,
    m.originalLanguage ? `Original: ${m.originalLanguage}` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

function Select<T extends string>(props: {
  name: keyof DocumentMetadata;
  label: string;
  value: T;
  options: readonly T[];
  labels?: Readonly<Record<T, string>>;
}) {
  return (
    <label class="metadata-field">
      <span>{props.label}</span>
      <select name={props.name} data-testid={`metadata-${props.name}`} defaultValue={props.value}>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {props.labels?.[o] ?? o}
          </option>
        ))}
      </select>
    </label>
  );
}

function Text(props: {
  name: keyof DocumentMetadata;
  label: string;
  value: string;
  maxLength: number;
  placeholder: string;
}) {
  return (
    <label class="metadata-field">
      <span>{props.label}</span>
      <input
        name={props.name}
        type="text"
        data-testid={`metadata-${props.name}`}
        defaultValue={props.value}
        maxLength={props.maxLength}
        placeholder={props.placeholder}
        autocomplete="off"
      />
    </label>
  );
}

function readForm(form: HTMLFormElement): DocumentMetadata {
  const data = new FormData(form);
  const get = (k: keyof DocumentMetadata) => String(data.get(k) ?? '');
  return {
    symbol: get('symbol'),
    distribution: get('distribution') as DocumentMetadata['distribution'],
    date: get('date'),
    originalLanguage: get('originalLanguage') as DocumentMetadata['originalLanguage'],
    session: get('session'),
    agendaItem: get('agendaItem'),
    documentType: get('documentType') as DocumentMetadata['documentType'],
  };
}

function EditForm(props: { reportId: string; value: MetadataView; onDone: () => void }) {
  const [form, setForm] = useState<HTMLFormElement | null>(null);
  const submit = useSubmit(async () => {
    if (!form) return;
    await putMetadata(props.reportId, readForm(form));
    props.onDone();
  });
  const m = props.value;
  return (
    <form
      class="metadata-form"
      ref={setForm}
      onSubmit={submit.onSubmit}
      data-testid="metadata-form"
    >
      <Text
        name="symbol"
        label="Symbol"
        value={m.symbol}
        maxLength={SYMBOL_MAX}
        placeholder="A/70/174"
      />
      <Select
        name="distribution"
        label="Distribution"
        value={m.distribution}
        options={DISTRIBUTIONS}
      />
      <Text name="date" label="Date" value={m.date} maxLength={10} placeholder="YYYY-MM-DD" />
      <Select
        name="originalLanguage"
        label="Original"
        value={m.originalLanguage}
        options={LANGUAGES}
      />
      <Text
        name="session"
        label="Session"
        value={m.session}
        maxLength={LINE_MAX}
        placeholder="Seventieth session"
      />
      <Text
        name="agendaItem"
        label="Agenda item"
        value={m.agendaItem}
        maxLength={LINE_MAX}
        placeholder="Agenda item 93"
      />
      <Select
        name="documentType"
        label="Document type"
        value={m.documentType}
        options={DOCUMENT_TYPES}
        labels={DOCUMENT_TYPE_LABELS}
      />
      <div class="metadata-actions">
        <button type="submit" disabled={submit.busy} data-testid="metadata-save">
          Save
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
      <FormError testid="metadata-error" error={submit.error} />
    </form>
  );
}

export function MetadataPanel(props: {
  reportId: string;
  store: MetadataStore;
  live: SessionSignals;
}) {
  const [editing, setEditing] = useState(false);
  const m = props.store.value.value;
  const access = props.live.access.value;
  if (!m || !access) return null;
  const editable = roleCan(access.role, 'editMetadata');
  return (
    <section class="metadata-panel" data-testid="metadata">
      <p class="metadata-summary">
        <span data-testid="metadata-summary">{summary(m)}</span>
        {m.session || m.agendaItem ? (
          <span class="muted"> · {[m.session, m.agendaItem].filter(Boolean).join(' · ')}</span>
        ) : null}
        {editable && !editing ? (
          <button
            type="button"
            class="link-button"
            data-testid="metadata-edit"
            onClick={() => setEditing(true)}
          >
            Edit details
          </button>
        ) : null}
      </p>
      {editing ? (
        <EditForm
          key={m.updatedAt ?? ''}
          reportId={props.reportId}
          value={m}
          onDone={() => setEditing(false)}
        />
      ) : null}
    </section>
  );
}
