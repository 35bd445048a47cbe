/**
 * "Import a text": a Word .docx, Akoma Ntoso XML or pasted text becomes a new report. The server
 * reads it and answers a preview (nothing written); the user checks it and confirms, and only
 * then is the report created. For roles that may (importDocument).
 */
import { useState } from 'preact/hooks';
import { REPORT_TITLE_MAX } from '../../../shared/api.js';
import {
  IMPORT_FORMAT_LABELS,
  IMPORT_FORMATS,
  IMPORT_MAX_BYTES,
  type ImportFormat,
  type ImportPreview as Preview,
} from '../../../shared/import.js';
import { importDocument } from '../api.js';
import { go } from '../app/navigation.js';
import { reportHref } from '../app/routes.js';
import type { Membership } from '../auth.js';
import { Field, FormError, useSubmit } from '../ui/form.js';
import { ImportPreview } from './ImportPreview.js';

/** The format a file's name says it is. */
export function formatOfName(name: string): ImportFormat {
  if (/\.docx$/i.test(name)) return 'docx';
  if (/\.(xml|akn)$/i.test(name)) return 'akn';
  return 'text';
}

export function ImportForm(props: { groups: Membership[] }) {
  const [groupId, setGroupId] = useState(props.groups[0]!.id);
  const [format, setFormat] = useState<ImportFormat>('text');
  const [file, setFile] = useState<File | null>(null);
  const [pasted, setPasted] = useState('');
  const [title, setTitle] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<unknown>(null);

  const input = (): Blob | string => {
    if (file) return file;
    if (format === 'text' && pasted.trim()) return pasted;
    throw new Error(format === 'text' ? 'Paste the text or choose a file.' : 'Choose a file.');
  };
  const changed = () => setPreview(null);

  const read = useSubmit(async () => {
    if (file && file.size > IMPORT_MAX_BYTES)
      throw new Error(`The file is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MiB.`);
    const result = await importDocument(groupId, format, input(), { preview: true });
    setPreview(result.preview);
  }, setError);

  const create = useSubmit(async () => {
    const { report } = await importDocument(groupId, format, input(), {
      preview: false,
      ...(title.trim() ? { title: title.trim() } : {}),
    });
    if (report) go(reportHref(report.id));
  }, setError);

  return (
    <section class="card import-form" data-testid="import-form">
      <h2>Import a text</h2>
      <form noValidate onSubmit={read.onSubmit}>
        <Field label="Format" for="import-format">
          <select
            id="import-format"
            data-testid="import-format"
            value={format}
            onChange={(e) => {
              setFormat(e.currentTarget.value as ImportFormat);
              changed();
            }}
          >
            {IMPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {IMPORT_FORMAT_LABELS[f]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="File" for="import-file" help="A .docx, an Akoma Ntoso .xml or a .txt file.">
          <input
            id="import-file"
            type="file"
            data-testid="import-file"
            accept=".docx,.xml,.akn,.txt,text/plain"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0] ?? null;
              setFile(f);
              if (f) setFormat(formatOfName(f.name));
              changed();
            }}
          />
        </Field>
        {format === 'text' && !file ? (
          <Field label="Or paste the text" for="import-text">
            <textarea
              id="import-text"
              data-testid="import-text"
              rows={8}
              value={pasted}
              onInput={(e) => {
                setPasted(e.currentTarget.value);
                changed();
              }}
            />
          </Field>
        ) : null}
        {props.groups.length > 1 ? (
          <Field label="Group" for="import-group">
            <select
              id="import-group"
              data-testid="import-group"
              value={groupId}
              onChange={(e) => setGroupId(e.currentTarget.value)}
            >
              {props.groups.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <div class="actions">
          <button type="submit" data-testid="import-preview-button" disabled={read.busy}>
            Preview
          </button>
        </div>
      </form>
      <FormError testid="import-error" error={error} />
      {preview ? (
        <form noValidate onSubmit={create.onSubmit}>
          <ImportPreview preview={preview} />
          <Field label="Title of the new report" for="import-title">
            <input
              id="import-title"
              data-testid="import-title"
              maxLength={REPORT_TITLE_MAX}
              placeholder={preview.title}
              value={title}
              onInput={(e) => setTitle(e.currentTarget.value)}
            />
          </Field>
          <div class="actions">
            <button
              class="primary"
              type="submit"
              data-testid="import-create"
              disabled={create.busy}
            >
              Create the report
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
