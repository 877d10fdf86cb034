/** Parent side of the mock upstream child: start it, add a sale now, stop it. */
import { forkHelper, type Helper } from "./procs.js";

/** Live sales get SaleIds from here up, far above any bulk-loaded id (≤ a few hundred thousand a merchant). */
export const LIVE_SALE_ID_OFFSET = 1_000_000_000;

export interface MockChild {
  url: string;
  merchants: { id: string; publicKey: string }[];
  pid: number;
  addSale(merchantId: string): Promise<{ merchantId: string; saleId: number }>;
  stop(): Promise<void>;
}

export interface MockChildOptions {
  seed: number;
  merchants: number;
  /** Generation tick; short, so sales arrive continuously rather than in bursts. */
  intervalMs: number;
  /** Multiplier on the profiles' sales per minute. */
  speed: number;
  /** false: no sales but those addSale adds (the failover section counts every one). Default true. */
  generate?: boolean;
  /** Every answer waits this long first (the failover section's polls are in flight when it kills). */
  latencyMs?: number;
}

export async function startMockChild(opts: MockChildOptions): Promise<MockChild> {
  const helper: Helper<{ url: string; merchants: { id: string; publicKey: string }[] }> = await forkHelper(
    "./mock-child.js",
    [JSON.stringify({ ...opts, saleIdOffset: LIVE_SALE_ID_OFFSET })],
  );
  return {
    url: helper.ready.url,
    merchants: helper.ready.merchants,
    pid: helper.child.pid ?? -1,
    addSale: (merchantId) => helper.request({ type: "addSale", merchantId }, 10_000),
    stop: async () => {
      await helper.request({ type: "stop" }, 5000).catch(() => undefined);
      await helper.stop();
    },
  };
}
