/**
 * One poll of a BTCPay or LNbits merchant (issue 15): its source's client asks for what can have
 * changed since the stored state, and the store writes the answer and the next state in one
 * transaction (store/source-poll.ts). The poller wraps it with the schedule, backoff and logging that
 * every source shares.
 */
import type { KeyedSourceClients } from "../sources/connections.js";
import type { SourceClient, SourceHint } from "../sources/source-client.js";
import type { WriterDb } from "../store/db.js";
import type { MerchantCredentialsRow } from "../store/merchants.js";
import type { PollFence } from "../store/poll-fence.js";
import { applySourcePoll, type SourcePollResult } from "../store/source-poll.js";
import { UpstreamError } from "../upstream/client.js";
import type { SkippedRow } from "../upstream/payload.js";

/** The clients of the keyed sources, by source name (sources/registry/ builds them). */
export type SourceClients = KeyedSourceClients;

/** The merchant's source's client; undefined for a source without one. */
function clientOf(clients: SourceClients, source: string): SourceClient<unknown> | undefined {
  if (source !== "btcpay" && source !== "lnbits") return undefined;
  return clients[source] as SourceClient<unknown> | undefined;
}

export interface KeyedPollDone {
  result: SourcePollResult;
  polledAt: number;
  skipped: SkippedRow[];
  skippedCount: number;
}

/** Polls and stores; undefined when the merchant was deleted meanwhile. */
export async function pollKeyedSource(
  db: WriterDb,
  clients: SourceClients,
  merchant: MerchantCredentialsRow,
  opts: {
    hints: SourceHint[];
    full: boolean;
    signal: AbortSignal;
    now: () => number;
    /** A leased poll's lease check (store/poll-fence.ts). */
    fence?: PollFence | undefined;
  },
): Promise<KeyedPollDone | undefined> {
  const client = clientOf(clients, merchant.source);
  if (!client) throw new UpstreamError(`no client for source ${merchant.source}`);
  if (merchant.settings === null) throw new UpstreamError(`merchant has no ${merchant.source} settings`);
  const polled = await client.poll({
    merchantId: merchant.id,
    settings: merchant.settings,
    state: opts.full ? null : merchant.syncState,
    hints: opts.hints,
    signal: opts.signal,
    now: opts.now(),
  });
  if (opts.signal.aborted) throw new Error("poll cancelled: shutting down");
  const polledAt = opts.now();
  const result = await applySourcePoll(db, merchant.id, polled, polledAt, opts.fence);
  if (!result) return undefined;
  return { result, polledAt, skipped: polled.parse.skipped, skippedCount: polled.parse.skippedCount };
}

/**
 * What keyed-source merchants' next polls were asked to do besides their usual re-poll: look at the
 * keys webhooks named, or read the whole history (an operator's refetch). A poll takes all of it at
 * its start, and puts it back if it fails, so a failed poll's retry still looks.
 */
export class PollRequests {
  private readonly hints = new Map<string, SourceHint[]>();
  private readonly fullNext = new Set<string>();

  hint(merchantId: string, hint: SourceHint): void {
    const waiting = this.hints.get(merchantId);
    if (waiting) waiting.push(hint);
    else this.hints.set(merchantId, [hint]);
  }

  full(merchantId: string): void {
    this.fullNext.add(merchantId);
  }

  take(merchantId: string): { hints: SourceHint[]; full: boolean } {
    const hints = this.hints.get(merchantId) ?? [];
    this.hints.delete(merchantId);
    return { hints, full: this.fullNext.delete(merchantId) };
  }

  putBack(merchantId: string, asked: { hints: SourceHint[]; full: boolean }): void {
    for (const h of asked.hints) this.hint(merchantId, h);
    if (asked.full) this.full(merchantId);
  }
}
