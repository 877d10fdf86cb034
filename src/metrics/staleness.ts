import { Gauge, type Registry } from "prom-client";

/** Per-merchant series are kept up to this many polled merchants; past it, only the oldest (max). */
export const STALENESS_MERCHANT_BOUND = 100;

/** A merchant as the staleness gauges need it (the admin API's merchant shape has these fields). */
export interface StalenessMerchant {
  id: string;
  enabled: boolean;
  source: string;
  last_polled_at?: string;
}

export interface StalenessSource {
  /** Every merchant, read when scraped (the stored last successful poll of each). */
  merchants(): Promise<StalenessMerchant[]>;
  /** Which sources are polled (a webhook-fed merchant is never stale). */
  polledSources: readonly string[];
  now(): number;
}

/**
 * Seconds since each enabled polled merchant's last successful poll: the newer of the stored time (it
 * survives restarts) and the last one seen from a poll outcome since (stored times of unchanged polls
 * are written about once a second). A merchant never polled successfully has no series; the max gauge
 * covers only merchants that have been.
 */
export class PollStaleness {
  private readonly lastOk = new Map<string, number>();

  constructor(source: StalenessSource, registers: Registry[]) {
    const lastOk = this.lastOk;
    // A registry collects in the order of registration: the per-merchant gauge reads the merchants,
    // the max gauge after it uses what it found.
    let oldest: number | undefined;
    new Gauge({
      name: "livepos_merchant_seconds_since_last_successful_poll",
      help: `Seconds since the merchant's last successful poll (only while at most ${STALENESS_MERCHANT_BOUND} merchants are polled)`,
      labelNames: ["merchant_id"],
      registers,
      async collect() {
        const ages = await merchantAges(source, lastOk);
        this.reset();
        if (ages.size <= STALENESS_MERCHANT_BOUND)
          for (const [merchantId, age] of ages) this.set({ merchant_id: merchantId }, age);
        oldest = ages.size > 0 ? Math.max(...ages.values()) : undefined;
      },
    });
    new Gauge({
      name: "livepos_seconds_since_last_successful_poll_max",
      help: "Seconds since the last successful poll of the stalest enabled polled merchant",
      registers,
      collect() {
        this.reset();
        if (oldest !== undefined) this.set(oldest);
      },
    });
  }

  succeeded(merchantId: string, polledAt: number): void {
    this.lastOk.set(merchantId, polledAt);
  }
}

/** Seconds since the last success of each enabled polled merchant that has had one. */
async function merchantAges(
  source: StalenessSource,
  lastOk: Map<string, number>,
): Promise<Map<string, number>> {
  const now = source.now();
  const ages = new Map<string, number>();
  const known = new Set<string>();
  for (const m of await source.merchants()) {
    known.add(m.id);
    if (!m.enabled || !source.polledSources.includes(m.source)) continue;
    const stored = m.last_polled_at === undefined ? Number.NaN : Date.parse(m.last_polled_at);
    const seen = lastOk.get(m.id) ?? Number.NaN;
    const last = Math.max(Number.isNaN(stored) ? -Infinity : stored, Number.isNaN(seen) ? -Infinity : seen);
    if (last !== -Infinity) ages.set(m.id, Math.max(0, (now - last) / 1000));
  }
  // A deleted merchant's last success is forgotten.
  for (const id of lastOk.keys()) if (!known.has(id)) lastOk.delete(id);
  return ages;
}
