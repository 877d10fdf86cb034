/** Parent side of the SSE client child. */
import { forkHelper } from "./procs.js";

export interface StreamResults {
  /** "merchant:sale" → receipt times (monoMs) of every client that got it. */
  receipts: Record<string, number[]>;
  /** Clients that did not receive every watched sale. */
  missedAny: number;
  /** Connections the server closed while they were reading. */
  dropped: number;
  open: number;
  /** CPU time of the client process / wall time since the streams opened (1 = one core busy). */
  cpuShare: number;
}

export interface StreamClients {
  connected: number;
  failed: number;
  /** Why connections failed: HTTP status or socket error code → count. */
  failures: Record<string, number>;
  pid: number;
  /** Timestamp this merchant's sale frames from now on. */
  watch(merchantId: string): Promise<void>;
  /** Every client should receive this sale. */
  expect(merchantId: string, saleId: number): Promise<void>;
  collect(): Promise<StreamResults>;
  stop(): Promise<void>;
}

/** Opens `count` streams; those not open within `openMs` are given up and reported as failures. */
export async function openStreams(streamUrl: string, count: number, openMs: number): Promise<StreamClients> {
  const helper = await forkHelper<{ connected: number; failed: number; failures: Record<string, number> }>(
    "./sse-child.js",
    [streamUrl, String(count), String(openMs)],
    openMs + 30_000,
  );
  return {
    connected: helper.ready.connected,
    failed: helper.ready.failed,
    failures: helper.ready.failures,
    pid: helper.child.pid ?? -1,
    watch: async (merchantId) => {
      await helper.request({ type: "watch", merchantId }, 5000);
    },
    expect: async (merchantId, saleId) => {
      await helper.request({ type: "expect", merchantId, saleId }, 5000);
    },
    collect: () => helper.request<StreamResults>({ type: "collect" }, 30_000),
    stop: async () => {
      await helper.request({ type: "stop" }, 5000).catch(() => undefined);
      await helper.stop();
    },
  };
}
