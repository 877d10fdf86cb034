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
  /** CPU time of the client processes / wall time since the streams opened (1 = one core busy). */
  cpuShare: number;
  /** When recording: every HTTP chunk one client received (one server write each), as it arrived (monoMs). */
  recording?: { at: number; payload: string }[];
}

export interface StreamClients {
  connected: number;
  failed: number;
  /** Why connections failed: HTTP status or socket error code → count. */
  failures: Record<string, number>;
  /** The client processes. */
  pids: number[];
  /** Timestamp this merchant's sale frames from now on. */
  watch(merchantId: string): Promise<void>;
  /** Every client should receive this sale. */
  expect(merchantId: string, saleId: number): Promise<void>;
  collect(): Promise<StreamResults>;
  stop(): Promise<void>;
}

/**
 * Client processes the streams are spread over. 2,000 screens are 2,000 devices; one process reading
 * all of them turns its own queue (a round's 2,000 frames read one after another) into latency that
 * no screen would see. Two processes, one per vCPU here.
 */
const PROCESSES = 2;

/**
 * Opens `count` streams; those not open within `openMs` are given up and reported as failures.
 * `record`: one client keeps everything it receives, for collect(). `processes`: how many client
 * processes hold them (the cluster-push section opens two sets, one per instance, of one process each).
 */
export async function openStreams(
  streamUrl: string,
  count: number,
  openMs: number,
  record = false,
  processes = PROCESSES,
): Promise<StreamClients> {
  const shares = Array.from(
    { length: processes },
    (_, i) => Math.floor(count / processes) + (i < count % processes ? 1 : 0),
  );
  const helpers = await Promise.all(
    shares.map((n, i) =>
      forkHelper<{ connected: number; failed: number; failures: Record<string, number> }>(
        "./sse-child.js",
        [streamUrl, String(n), String(openMs), ...(record && i === 0 ? ["record"] : [])],
        openMs + 30_000,
      ),
    ),
  );
  const failures: Record<string, number> = {};
  for (const h of helpers)
    for (const [why, n] of Object.entries(h.ready.failures)) failures[why] = (failures[why] ?? 0) + n;
  const all = <T>(message: { type: string; [k: string]: unknown }, timeoutMs: number) =>
    Promise.all(helpers.map((h) => h.request<T>(message, timeoutMs)));
  return {
    connected: helpers.reduce((n, h) => n + h.ready.connected, 0),
    failed: helpers.reduce((n, h) => n + h.ready.failed, 0),
    failures,
    pids: helpers.map((h) => h.child.pid ?? -1),
    watch: async (merchantId) => {
      await all({ type: "watch", merchantId }, 5000);
    },
    expect: async (merchantId, saleId) => {
      await all({ type: "expect", merchantId, saleId }, 5000);
    },
    collect: async () => {
      const parts = await all<StreamResults>({ type: "collect" }, 30_000);
      const receipts: Record<string, number[]> = {};
      for (const part of parts)
        for (const [key, times] of Object.entries(part.receipts))
          receipts[key] = [...(receipts[key] ?? []), ...times];
      const sum = (pick: (r: StreamResults) => number) => parts.reduce((n, r) => n + pick(r), 0);
      return {
        receipts,
        missedAny: sum((r) => r.missedAny),
        dropped: sum((r) => r.dropped),
        open: sum((r) => r.open),
        cpuShare: sum((r) => r.cpuShare),
        ...(parts[0]?.recording ? { recording: parts[0].recording } : {}),
      };
    },
    stop: async () => {
      await Promise.all(
        helpers.map(async (h) => {
          await h.request({ type: "stop" }, 5000).catch(() => undefined);
          await h.stop();
        }),
      );
    },
  };
}
