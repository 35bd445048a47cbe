/** "New report": a title, a template and (with several) the group, for roles that may create. */
import { useRef, useState } from 'preact/hooks';
import { REPORT_TITLE_MAX } from '../../../shared/api.js';
import { TEMPLATES, type TemplateId } from '../../../shared/templates.js';
import { createReport } from '../api.js';
import { go } from '../app/navigation.js';
import { reportHref } from '../app/routes.js';
import type { Membership } from '../auth.js';
import { Field, helpId, TextField, useSubmit } from '../ui/form.js';

export function NewReportForm(props: { groups: Membership[]; onError(error: unknown): void }) {
  const title = useRef<HTMLInputElement>(null);
  const [template, setTemplate] = useState<TemplateId>(TEMPLATES[0]!.id);
  const [groupId, setGroupId] = useState(props.groups[0]!.id);
  const submit = useSubmit(async () => {
    const text = title.current?.value.trim() ?? '';
    if (!text) {
      title.current?.focus();
      throw new Error('Give the report a title.');
    }
    const report = await createReport({ title: text, template, groupId });
    go(reportHref(report.id));
    // The page shows the error (under the groups).
  }, props.onError);

  return (
    <form class="card new-report" data-testid="new-report" noValidate onSubmit={submit.onSubmit}>
      <h2>New report</h2>
      <TextField
        id="new-title"
        label="Title"
        required
        maxLength={REPORT_TITLE_MAX}
        placeholder="e.g. Report of the Group of Governmental Experts, zero draft"
        inputRef={title}
      />
      <Field
        label="Template"
        for="new-template"
        help={TEMPLATES.find((t) => t.id === template)?.description ?? ''}
      >
        <select
          id="new-template"
          name="template"
          data-testid="new-template"
          aria-describedby={helpId('new-template')}
          value={template}
          onChange={(e) => setTemplate(e.currentTarget.value as TemplateId)}
        >
          {TEMPLATES.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </Field>
      {props.groups.length > 1 ? (
        <Field label="Group" for="new-group">
          <select
            id="new-group"
            name="group"
            data-testid="new-group"
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
      ) : (
        <p class="field-help">
          In <strong>{props.groups[0]!.name}</strong>.
        </p>
      )}
      <div class="actions">
        <button class="primary" type="submit" data-testid="new-submit" disabled={submit.busy}>
          Create report
        </button>
      </div>
    </form>
  );
}
