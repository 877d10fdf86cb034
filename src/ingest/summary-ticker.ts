import type { FastifyBaseLogger } from "fastify";
import type { Summary } from "../contract/index.js";

export interface SummaryTickerOptions {
  /** Reads the summary as of now (on the ingest side's read connection). */
  read: () => Promise<Summary>;
  /** Told each summary read; the live feed pushes it to screens. */
  emit: (summary: Summary) => void;
  log?: FastifyBaseLogger;
  now?: () => number;
  /** At most one summary per this many ms, however many polls store sales. */
  everyMs?: number;
}

/**
 * Screens' totals after stored sales, where the database is: a burst of polls that store sales gives
 * one summary at its end, and at most one per `everyMs` while it lasts, read right beside the
 * transactions that changed it instead of asked for again from the HTTP thread after each poll.
 */
export class SummaryTicker {
  private timer: NodeJS.Timeout | undefined;
  private lastAt = Number.NEGATIVE_INFINITY;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly opts: SummaryTickerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Sales were stored: a summary follows, within `everyMs`. */
  poke(): void {
    if (this.timer || this.stopped) return;
    const wait = Math.max(0, this.lastAt + (this.opts.everyMs ?? 250) - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastAt = this.now();
      this.opts
        .read()
        .then((summary) => {
          if (!this.stopped) this.opts.emit(summary);
        })
        .catch((err: unknown) => this.opts.log?.warn({ err }, "live summary failed"));
    }, wait);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
