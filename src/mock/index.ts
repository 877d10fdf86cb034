/**
 * The mock PayWithFlash upstream as a library: tests and benchmarks start it on port 0, drive its
 * clock and generation explicitly, inject faults, and compare what a client stored with the
 * ground truth, which is kept independently of the wire format.
 */
import { Market } from "./generator.js";
import type { GroundTruth, GroundTruthSale, SaleSpec } from "./model.js";
import { PROFILES } from "./profiles.js";
import { stream } from "./random.js";
import { type GlobalFaults, type MerchantFault, MockServer } from "./server.js";

export type {
  GroundTruth,
  GroundTruthLine,
  GroundTruthProduct,
  GroundTruthSale,
  MerchantTruth,
  SaleLineSpec,
  SaleSpec,
} from "./model.js";
export type { Profile } from "./profiles.js";
export { PROFILES } from "./profiles.js";
export type { GlobalFaults, MerchantFault } from "./server.js";

export interface MockUpstreamOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Default 42; same seed and same clock give identical data. */
  seed?: number;
  /** Generation tick, default 10 000 ms. */
  intervalMs?: number;
  /** Run the generation timer (default true); with false, call tick()/addSale() yourself. */
  generate?: boolean;
  /** Sales per real minute are multiplied by this (default 1); dates stay ≤ real now. */
  speed?: number;
  /** Number of merchants, cycling the 20 profiles (default 20). */
  merchants?: number;
  failRate?: number;
  latencyMs?: number;
  garbageRate?: number;
  /** Start with about an hour of history, a few dozen sales in all (default true). */
  history?: boolean;
  /** Clock, ms epoch (default Date.now). */
  now?: () => number;
  /**
   * Added to every merchant's seeded first SaleId (default 0), so a benchmark that bulk-loads this
   * generator's own history straight into the client's database can serve live sales that never
   * collide with it. Everything else (catalogues, keys, rates) is unchanged.
   */
  saleIdOffset?: number;
}

export interface MockMerchant {
  id: string;
  publicKey: string;
  name: string;
}

export interface MockUpstream {
  /** Base URL, e.g. "http://127.0.0.1:41234" (no trailing slash). */
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Generates one tick now, covering `elapsedMs` (default the interval); returns the sales added. */
  tick(elapsedMs?: number): number;
  /** One sale now (or at `date`): amount-only, with the given lines, or random when empty. */
  addSale(merchantId: string, sale?: SaleSpec): GroundTruthSale;
  /** Bulk-loads `count` random sales dated within `spanMs` (default 30 days) before now. */
  addHistory(merchantId: string, count: number, opts?: { spanMs?: number }): number;
  /** Forgets the merchant's served sales; keeps products, stats and the SaleId sequence. */
  reset(merchantId: string): number;
  setFault(merchantId: string, fault: MerchantFault): void;
  clearFault(merchantId: string): void;
  setGlobalFaults(faults: Partial<GlobalFaults>): void;
  merchants(): MockMerchant[];
  /** Every merchant, or only `merchantId`: all sales ever generated and the product statistics. */
  groundTruth(merchantId?: string): GroundTruth;
}

const DAY = 86_400_000;

export async function startMockUpstream(opts: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const seed = opts.seed ?? 42;
  const intervalMs = opts.intervalMs ?? 10_000;
  const speed = opts.speed ?? 1;
  const merchantCount = opts.merchants ?? PROFILES.length;
  const faults: GlobalFaults = {
    failRate: opts.failRate ?? 0,
    latencyMs: opts.latencyMs ?? 0,
    garbageRate: opts.garbageRate ?? 0,
  };
  const now = opts.now ?? Date.now;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs))
    throw new RangeError(`invalid intervalMs ${intervalMs}`);
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`invalid speed ${speed}`);
  if (!Number.isSafeInteger(merchantCount) || merchantCount < 1) {
    throw new RangeError(`merchants must be a positive integer, got ${merchantCount}`);
  }
  validateFaults(faults);

  const market = new Market({ seed, merchants: merchantCount, now, saleIdOffset: opts.saleIdOffset ?? 0 });
  if (opts.history ?? true) market.seedHistory();
  const server = new MockServer(market, faults, stream(seed, "faults"));
  const host = opts.host ?? "127.0.0.1";
  const port = await server.listen(host, opts.port ?? 0);

  let lastTick = now();
  const tick = (elapsedMs?: number): number => {
    const t = now();
    const elapsed = elapsedMs ?? intervalMs;
    lastTick = t;
    return market.tick(elapsed, speed);
  };
  let timer: NodeJS.Timeout | undefined;
  if (opts.generate ?? true) {
    // Elapsed is measured, not assumed, so a late timer still generates the right number of sales.
    timer = setInterval(() => tick(Math.max(0, now() - lastTick)), intervalMs);
    timer.unref();
  }

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      stopping ??= server.close();
      return stopping;
    },
    tick,
    addSale: (merchantId, sale) => market.addSale(merchantId, sale),
    addHistory: (merchantId, count, o) => market.addHistory(merchantId, count, o?.spanMs ?? 30 * DAY),
    reset: (merchantId) => market.reset(merchantId),
    setFault: (merchantId, fault) => server.setFault(merchantId, fault),
    clearFault: (merchantId) => server.clearFault(merchantId),
    setGlobalFaults(partial) {
      validateFaults({ ...faults, ...partial });
      server.setGlobalFaults(partial);
    },
    merchants: () => market.merchants.map((m) => ({ id: m.id, publicKey: m.publicKey, name: m.name })),
    groundTruth: (merchantId) => market.truth(merchantId),
  };
}

function validateFaults(f: GlobalFaults): void {
  for (const [name, rate] of [
    ["failRate", f.failRate],
    ["garbageRate", f.garbageRate],
  ] as const) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`${name} must be within [0, 1], got ${rate}`);
  }
  if (!(f.latencyMs >= 0) || !Number.isFinite(f.latencyMs))
    throw new RangeError(`invalid latencyMs ${f.latencyMs}`);
}

/** A wildcard bind is reachable on loopback; IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
