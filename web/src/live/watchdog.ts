// How long a screen may hear nothing on the stream before it stops calling itself live. The server
// sends a `ping` every STREAM_HEARTBEAT (saying how often); a frozen server, or a proxy holding the
// connection open, sends nothing, while the browser's EventSource still reports it as open.

/** The server's default, used until the first ping says otherwise. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** Two heartbeats missed, and 5 s for a busy network or a slow tab. */
export function silenceLimitMs(heartbeatMs: number): number {
  return 2 * heartbeatMs + 5000;
}

/** The interval a ping announces, or null when its data is not one. */
export function pingInterval(data: unknown): number | null {
  const ms = (data as { interval_ms?: unknown } | null)?.interval_ms;
  return typeof ms === "number" && Number.isFinite(ms) && ms > 0 ? ms : null;
}
