// The merchants list kept current from the live stream: the server's `merchant` event says a
// merchant's polls started or stopped succeeding, so a new merchant that fails shows as failing
// (and sorts first) without waiting for the 15-second refresh or a manual one.
import type { AdminMerchant, MerchantStatus } from "../api/types";
import type { EventSourceCtor } from "../live/options";
import type { LiveListTools } from "./resource";

/** The same rule as the Health column's "Failing ×n" badge. */
const failures = (m: AdminMerchant) => (m.enabled ? m.consecutive_failures : 0);

/** Failing merchants first, the most failures first; then by alias. */
export function merchantOrder(a: AdminMerchant, b: AdminMerchant): number {
  return failures(b) - failures(a) || a.alias.localeCompare(b.alias);
}

/**
 * A row as the event tells it: healthy clears the failures and moves "last polled" on; unhealthy
 * counts at least one failure (the exact count and error come with the reload the event starts).
 */
export function applyMerchantStatus(list: AdminMerchant[] | null, s: MerchantStatus): AdminMerchant[] | null {
  if (!list?.some((m) => m.id === s.id)) return list;
  return list.map((m) => {
    if (m.id !== s.id) return m;
    if (!s.healthy) return { ...m, consecutive_failures: Math.max(1, m.consecutive_failures) };
    const { last_error: _dropped, ...rest } = m;
    return { ...rest, consecutive_failures: 0, last_polled_at: s.last_polled_at ?? m.last_polled_at };
  });
}

export interface MerchantWatch {
  onStatus(status: MerchantStatus): void;
  /** Events may have been missed (the stream said `reset`, or reconnected): read the list again. */
  onGap(): void;
}

/** Listens to `merchant` events on the stream until the returned function is called. */
export function watchMerchantStatus(
  watch: MerchantWatch,
  Ctor: EventSourceCtor | undefined = (globalThis as { EventSource?: EventSourceCtor }).EventSource,
  url = "/v1/stream",
): () => void {
  if (!Ctor) return () => {}; // no EventSource: the periodic refresh is all there is
  const source = new Ctor(url);
  let opened = false;
  source.addEventListener("open", () => {
    if (opened) watch.onGap();
    opened = true;
  });
  source.addEventListener("reset", () => watch.onGap());
  source.addEventListener("merchant", (event) => {
    try {
      const s = JSON.parse(String(event.data)) as MerchantStatus;
      if (s && typeof s.id === "string" && typeof s.healthy === "boolean") watch.onStatus(s);
    } catch {
      // a malformed event changes nothing
    }
  });
  return () => source.close();
}

/** The merchants resource's live updates: patch the row at once, then reload for count and error. */
export function liveMerchants(
  tools: LiveListTools<AdminMerchant>,
  Ctor?: EventSourceCtor,
  reloadAfterMs = 300,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Several merchants change together when the upstream goes down: one reload for the burst.
  const reloadSoon = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void tools.reload(true);
    }, reloadAfterMs);
  };
  const stop = watchMerchantStatus(
    {
      onStatus: (s) => {
        tools.patch((list) => applyMerchantStatus(list, s));
        reloadSoon();
      },
      onGap: reloadSoon,
    },
    Ctor,
  );
  return () => {
    stop();
    if (timer) clearTimeout(timer);
  };
}
