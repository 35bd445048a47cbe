/**
 * The report page's banners: the connection (lost, reconnecting, stopped and why), changes kept
 * in this browser from an earlier visit that are still on their way, and the
 * server's last notice for the user (a refused change, read-only access), with "Reload" where
 * reloading shows what the server has.
 */
import type { ReportSession } from '../sync/session.js';
import type { SessionSignals } from './sessionSignals.js';

export function ReportBanners(props: { session: ReportSession; live: SessionSignals }) {
  const notice = props.live.notice.value;
  const sn = props.live.serverNotice.value;
  return (
    <>
      {notice ? (
        <p
          class={`banner${notice.fatal ? ' is-fatal' : ''}`}
          role="alert"
          data-testid="connection-banner"
        >
          {notice.text}
        </p>
      ) : null}
      {props.live.restoring.value ? (
        <p class="banner is-info" role="status" data-testid="restoring-banner">
          {props.live.saveState.value === 'offline'
            ? 'Changes you made before this page was last closed are kept in this browser; they are sent when the connection returns.'
            : 'Sending the changes you made before this page was last closed…'}
        </p>
      ) : null}
      {sn ? (
        <p class="banner is-info" role="status" data-testid="server-notice" data-code={sn.code}>
          <span class="banner-text">{sn.message}</span>
          <button
            class="banner-action"
            type="button"
            data-testid="server-notice-reload"
            hidden={sn.code !== 'read-only' && sn.code !== 'foreign-client-id'}
            onClick={() => window.location.reload()}
          >
            Reload the report
          </button>
          <button
            class="banner-dismiss"
            type="button"
            aria-label="Dismiss"
            onClick={() => props.session.dismissServerNotice()}
          >
            ×
          </button>
        </p>
      ) : null}
    </>
  );
}
