/** The per-report switch "keep the last revision's numbers" (5 bis, 5 ter …), for the chair. */
import { useState } from 'preact/hooks';
import { errorMessage } from '../api.js';
import { setKeepNumbers } from './api.js';

export function NumberingSwitch(props: {
  reportId: string;
  keepNumbers: boolean;
  canChange: boolean;
  onChange: (on: boolean) => void;
}) {
  const [error, setError] = useState('');
  return (
    <p class="numbering-switch">
      <label
        class="toggle"
        title="Inserted paragraphs are numbered 5 bis, 5 ter … until the next revision"
      >
        <input
          type="checkbox"
          data-testid="keep-numbers"
          checked={props.keepNumbers}
          disabled={!props.canChange}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            setKeepNumbers(props.reportId, on)
              .then(() => {
                setError('');
                props.onChange(on);
              })
              .catch((err: unknown) => setError(errorMessage(err)));
          }}
        />
        {" Keep the last revision's numbers (5 bis, 5 ter …)"}
      </label>
      <span class="form-error" role="alert">
        {error}
      </span>
    </p>
  );
}
