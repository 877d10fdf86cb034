import { formatClock } from "../format/time";
import { dataUpdatedAt, lastSaleText, notReporting } from "../live/freshness";
import { connectionBanner, type LiveState, type ConnectionStatus as Status } from "../live/state";

const LABELS: Record<Status, string> = {
  connecting: "Connecting",
  live: "Live",
  reconnecting: "Reconnecting",
  polling: "Polling every 5 s",
};

const DESCRIPTIONS: Record<Status, string> = {
  connecting: "Connecting to the live feed",
  live: "Receiving live updates",
  reconnecting: "Live feed interrupted, reconnecting",
  polling: "Live feed unavailable, refreshing every 5 seconds",
};

/** A pill with a coloured dot: live / reconnecting / fallback polling. */
export function ConnectionStatus({ state, compact = false }: { state: LiveState; compact?: boolean }) {
  const offline = state.status === "polling" && state.error !== null;
  const label = offline
    ? "Offline"
    : compact && state.status === "polling"
      ? "Polling"
      : LABELS[state.status];
  return (
    <p
      className={`status status--${offline ? "offline" : state.status}`}
      data-testid="connection-status"
      data-status={state.status}
      title={offline ? `Server unreachable: ${state.error}` : DESCRIPTIONS[state.status]}
    >
      <span className="status__dot" aria-hidden="true" />
      <span className="status__label">{label}</span>
      <span className="sr-only">: {offline ? "server unreachable" : DESCRIPTIONS[state.status]}</span>
    </p>
  );
}

/**
 * The small banner that makes frozen data obvious: the connection's trouble first (nothing newer can
 * arrive), else most merchants not reporting (the server is fine, the point of sale is not).
 */
export function StaleBanner({ state, now }: { state: LiveState; now: number }) {
  const banner = connectionBanner(state, now);
  if (!banner) return <NotReportingNotice state={state} />;
  return (
    <div className={`stale-banner stale-banner--${banner.kind}`} role="status" data-testid="stale-banner">
      <span className="stale-banner__icon" aria-hidden="true">
        {banner.kind === "connecting" ? "…" : "!"}
      </span>
      {banner.text}
    </div>
  );
}

function NotReportingNotice({ state }: { state: LiveState }) {
  const notice = notReporting(state.summary);
  if (!notice) return null;
  return (
    <div
      className="stale-banner stale-banner--upstream"
      role="status"
      data-testid="not-reporting"
      data-missing={notice.missing}
      data-since={new Date(notice.since).toISOString()}
    >
      <span className="stale-banner__icon" aria-hidden="true">
        !
      </span>
      {notice.text}
    </div>
  );
}

/**
 * "Updated 14:02:05 · last sale 3m ago": when the data last changed or was confirmed by a successful
 * poll (not when the screen last heard from the server: a screen hears every failed poll cycle too).
 */
export function LastUpdated({ state, now }: { state: LiveState; now: number }) {
  const at = state.summary ? dataUpdatedAt(state.summary, state.ticker) : null;
  const sale = lastSaleText(state.ticker, now);
  return (
    <p className="last-updated" data-testid="last-updated" data-updated-at={at ?? ""}>
      <span className="last-updated__part">
        {state.summary === null
          ? "Waiting for data"
          : at === null
            ? "No data yet"
            : `Updated ${formatClock(at, true)}`}
      </span>
      {sale ? (
        <>
          <span aria-hidden="true"> · </span>
          <span className="last-updated__part" data-testid="last-sale">
            {sale}
          </span>
        </>
      ) : null}
    </p>
  );
}
