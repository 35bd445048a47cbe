/**
 * The report page's banners: the connection (lost, reconnecting, stopped and why) and the
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
