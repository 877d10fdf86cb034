/**
 * Live generation as a pure function of the clock. Time since the start instant is cut into slots
 * of one interval; a slot's sales are generated once, when the clock has passed its end, from the
 * merchants' live streams in slot order. So what the mock serves at clock time T depends only on
 * the seed, the start instant and T — not on how many timer callbacks ran, how late they were, or
 * whether a request arrived before or after the timer (every read catches up first).
 */
import type { Market } from "./generator.js";

export class LiveGeneration {
  /** Slots [0, done) are generated. */
  private done = 0;

  constructor(
    private readonly market: Market,
    private readonly origin: number,
    private readonly intervalMs: number,
    private readonly speed: number,
  ) {}

  /** Generates every slot that ended at or before `now`; returns the sales added. */
  catchUp(now: number): number {
    // A clock that goes back (NTP step, test clock) generates nothing until it passes the last slot again.
    const due = Math.floor((now - this.origin) / this.intervalMs);
    let added = 0;
    while (this.done < due) {
      this.done++;
      // Whole milliseconds: sale dates are printed to the millisecond.
      const end = Math.floor(this.origin + this.done * this.intervalMs);
      added += this.market.liveSlot(end, this.intervalMs, this.speed);
    }
    return added;
  }
}
