/**
 * Successful polls that brought the same body as last time change nothing but the merchant's
 * last_polled_at. With a thousand merchants that is hundreds of polls a second, and a commit each cost
 * more than the poll itself; their times are kept here and written together about once a second (and
 * at the end of every cycle, after a refetch, and before any other write to a merchant, so writes keep
 * their order). A crash loses at most that second of poll times, never a sale.
 */
export const POLL_TIMES_EVERY_MS = 1000;

/** The poll times kept for one writer connection (see poll-times.ts for where they are written). */
export class PollTimeBuffer {
  private times = new Map<string, number>();
  /** When the oldest time still kept was kept. */
  private since = 0;

  get size(): number {
    return this.times.size;
  }

  /** Keeps the merchant's poll time; true when the kept times are due to be written. */
  keep(merchantId: string, now: number): boolean {
    if (this.times.size === 0) this.since = now;
    this.times.set(merchantId, now);
    return now - this.since >= POLL_TIMES_EVERY_MS;
  }

  /** A poll that writes its own time: an earlier kept one must not overwrite it later. */
  forget(merchantId: string): void {
    this.times.delete(merchantId);
  }

  /** Every time kept so far, which the caller writes; the buffer starts empty again. */
  take(): Map<string, number> {
    const times = this.times;
    this.times = new Map();
    return times;
  }
}
