import type { FastifyBaseLogger } from "fastify";
import type { WriterDb } from "../store/db.js";
import { writePollTimes } from "../store/poll-times.js";
import type { PollResult } from "../store/poll-transaction.js";
import { describeStorageFailure } from "../store/write-health.js";
import { UpstreamError } from "../upstream/client.js";
import type { SkippedRow } from "../upstream/payload.js";

const MAX_LOGGED_SKIPS = 10;

/** A successful poll's lines: the first skipped rows, the poll itself, each milestone it fired. */
export function logPollComplete(
  log: FastifyBaseLogger,
  merchantId: string,
  skipped: readonly SkippedRow[],
  skippedCount: number,
  result: PollResult,
): void {
  for (const s of skipped.slice(0, MAX_LOGGED_SKIPS)) {
    log.warn(
      { merchant_id: merchantId, row: s.kind, row_id: s.id },
      `merchant ${merchantId} ${s.kind} ${s.id} skipped: ${s.reason}`,
    );
  }
  log.info(
    { merchant_id: merchantId, new_tx: result.storedCount, skipped: skippedCount },
    `merchant ${merchantId} poll complete (new_tx=${result.storedCount})`,
  );
  const withdrawn = result.withdrawnCount ?? 0;
  if (withdrawn > 0)
    log.warn(
      { merchant_id: merchantId, withdrawn },
      `merchant ${merchantId}: ${withdrawn} stored sales were marked invalid by the source and removed`,
    );
  for (const t of result.triggers) {
    log.info(
      { milestone_id: t.milestone_id, total_transactions: t.total_transactions },
      `milestone ${t.milestone_id} "${t.name}" triggered (${t.type} >= ${t.threshold})`,
    );
  }
}

/** What operators read as the merchant's last_error: upstream's fault, the storage's, or a bug. */
export function describePollFailure(e: unknown): string {
  if (e instanceof UpstreamError) return e.message;
  const storage = describeStorageFailure(e);
  if (storage !== undefined) return `storage error: ${storage}`;
  return `internal error: ${(e as Error).message}`;
}

/** Poll times of unchanged polls are kept briefly in memory (store/poll-time-buffer.ts); a cycle's end writes them. */
export async function writePollStamps(db: WriterDb, log: FastifyBaseLogger): Promise<void> {
  try {
    await writePollTimes(db);
  } catch (e) {
    log.error({ err: e }, "poll times could not be written");
  }
}
