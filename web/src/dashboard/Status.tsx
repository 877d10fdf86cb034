import { formatClock } from "../format/time";
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

/** The small banner that makes frozen data obvious. */
export function StaleBanner({ state, now }: { state: LiveState; now: number }) {
  const banner = connectionBanner(state, now);
  if (!banner) return null;
  return (
    <div className={`stale-banner stale-banner--${banner.kind}`} role="status" data-testid="stale-banner">
      <span className="stale-banner__icon" aria-hidden="true">
        {banner.kind === "connecting" ? "…" : "!"}
      </span>
      {banner.text}
    </div>
  );
}

export function LastUpdated({ state }: { state: LiveState }) {
  return (
    <p className="last-updated" data-testid="last-updated" data-fresh-at={state.freshAt ?? ""}>
      {state.freshAt === null ? "Waiting for data" : `Updated ${formatClock(state.freshAt, true)}`}
    </p>
  );
}
