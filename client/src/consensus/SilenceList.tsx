/**
 * Running silence procedures with a live countdown, each deadline in the reader's own zone and in
 * the chair's; "Break silence" (mandatory statement) for experts, "Cancel" for the chair; and a
 * notification for everyone when a silence is broken (naming who broke it and their statement)
 * or passes unbroken (the text is agreed).
 * Used by the editor and the board.
 */

import { useEffect, useRef, useState } from 'preact/hooks';
import type { SilenceView } from '../../../shared/consensus.js';
import { CONSENSUS_NOTE_MAX } from '../../../shared/consensus.js';
import { type Role, roleCan } from '../../../shared/roles.js';
import { errorMessage } from '../api.js';
import { countdownText, personText, readerTimeZone, timeText } from './format.js';
import type { ConsensusStore, SilenceOutcomeNotice } from './store.js';

export interface SilenceListProps {
  store: ConsensusStore;
  role: Role | null;
  /** "13, 14 (a)": the current numbers of the paragraphs. */
  citations(paragraphIds: readonly string[]): string;
  /** Jump to a paragraph (optional). */
  goTo?(paragraphId: string): void;
}

/** "1 d 02:03:04 left", once a second. */
function Countdown({ deadline }: { deadline: string }) {
  const [text, setText] = useState(() => countdownText(deadline));
  useEffect(() => {
    const timer = setInterval(() => setText(countdownText(deadline)), 1000);
    return () => clearInterval(timer);
  }, [deadline]);
  return (
    <strong class="silence-countdown" data-testid="silence-countdown">
      {text}
    </strong>
  );
}

function OutcomeNotice(props: { notice: SilenceOutcomeNotice; list: SilenceListProps }) {
  const s = props.notice.silence;
  const which = `paragraph${s.paragraphIds.length === 1 ? '' : 's'} ${props.list.citations(s.paragraphIds)}`;
  const broken = s.state === 'broken';
  return (
    <p
      class={`banner ${broken ? 'is-warning silence-broken' : 'is-success silence-adopted'}`}
      role={broken ? 'alert' : 'status'}
      data-testid={broken ? 'silence-broken' : 'silence-adopted'}
    >
      {broken ? (
        <span class="banner-text">
          {`Silence broken on ${which} by ${personText(s.brokenBy)}: `}
          <q class="silence-statement">{s.statement ?? ''}</q>
          {' The text is under discussion again.'}
        </span>
      ) : (
        <span class="banner-text">
          {`Silence passed on ${which}: no one broke it before the deadline, so the text is agreed.`}
        </span>
      )}
      <button
        class="banner-dismiss"
        type="button"
        aria-label="Dismiss"
        data-testid="silence-dismiss"
        onClick={() => props.list.store.dismissOutcome(props.notice)}
      >
        ×
      </button>
    </p>
  );
}

/** The statement form of an expert breaking silence. */
function BreakForm(props: {
  silence: SilenceView;
  store: ConsensusStore;
  onDone(): void;
  onError(text: string): void;
}) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const statement = useRef<HTMLTextAreaElement>(null);
  useEffect(() => statement.current?.focus(), []);
  return (
    <>
      <textarea
        ref={statement}
        rows={2}
        maxLength={CONSENSUS_NOTE_MAX}
        required
        aria-label="Statement (required)"
        placeholder="Your statement (required): why your State breaks silence"
        data-testid="silence-statement"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <div class="consensus-actions">
        <button
          class="danger"
          type="button"
          data-testid="silence-break-confirm"
          disabled={busy}
          onClick={() => {
            const said = text.trim();
            if (!said) {
              props.onError('A statement is required to break silence.');
              statement.current?.focus();
              return;
            }
            setBusy(true);
            props.store
              .breakSilence(props.silence.id, said)
              .then(props.onDone)
              .catch((e: unknown) => {
                setBusy(false);
                props.onError(errorMessage(e));
              });
          }}
        >
          Break silence
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </>
  );
}

function SilenceItem(props: { silence: SilenceView; list: SilenceListProps }) {
  const s = props.silence;
  const { store, role, goTo } = props.list;
  const [breaking, setBreaking] = useState(false);
  const [error, setError] = useState('');
  const own = readerTimeZone();
  const first = s.paragraphIds[0];
  const citations = props.list.citations(s.paragraphIds);
  const mayBreak = role !== null && roleCan(role, 'breakSilence');
  const mayCancel = role !== null && roleCan(role, 'runSilence');
  const errorLine = (
    <span class="consensus-error" role="alert">
      {error}
    </span>
  );
  return (
    <li class="silence-item" data-testid="silence-item" data-silence-id={s.id}>
      <div class="silence-line">
        <span class="silence-tag">Silence</span>
        <span>{`Paragraph${s.paragraphIds.length === 1 ? '' : 's'} `}</span>
        <span class="silence-paragraphs">
          {goTo && first ? (
            <button
              class="link-button"
              type="button"
              data-testid="silence-paragraphs"
              onClick={() => goTo(first)}
            >
              {citations}
            </button>
          ) : (
            citations
          )}
        </span>
        <Countdown deadline={s.deadline} />
      </div>
      <div class="silence-deadline muted" data-testid="silence-deadline">
        {`Deadline ${timeText(s.deadline)} your time`}
        {s.timeZone && s.timeZone !== own
          ? ` · ${timeText(s.deadline, s.timeZone)} chair's time`
          : ''}
        {` · started by ${personText(s.startedBy)}`}
      </div>
      {mayBreak || mayCancel ? (
        <div class="silence-actions">
          {mayBreak && breaking ? (
            <BreakForm
              silence={s}
              store={store}
              onDone={() => {
                setBreaking(false);
                setError('');
              }}
              onError={setError}
            />
          ) : null}
          {mayBreak && !breaking ? (
            <button
              class="danger"
              type="button"
              data-testid="silence-break"
              onClick={() => setBreaking(true)}
            >
              Break silence…
            </button>
          ) : null}
          {mayCancel ? (
            <button
              type="button"
              data-testid="silence-cancel"
              onClick={() => {
                store.cancelSilence(s.id).catch((e: unknown) => setError(errorMessage(e)));
              }}
            >
              Cancel silence
            </button>
          ) : null}
          {errorLine}
        </div>
      ) : null}
    </li>
  );
}

export function SilenceList(props: SilenceListProps) {
  const running = props.store.running();
  const notices = props.store.outcomeNotices;
  return (
    <section
      class="silences"
      data-testid="silences"
      aria-label="Silence"
      hidden={running.length === 0 && notices.length === 0}
    >
      <div class="silence-notices">
        {notices.map((n) => (
          <OutcomeNotice key={n.silence.id} notice={n} list={props} />
        ))}
      </div>
      <ul class="silence-list">
        {running.map((s) => (
          <SilenceItem key={s.id} silence={s} list={props} />
        ))}
      </ul>
    </section>
  );
}
