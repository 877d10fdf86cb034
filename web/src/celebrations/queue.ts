// Pure, time-driven queue of milestone celebrations: one on screen at a time, the rest waiting in
// arrival order, each trigger shown at most once. The caller passes `now` and re-calls `advance`
// at `nextWakeAt()`; nothing here touches timers or the DOM.
import type { MilestoneTrigger } from "../api/types";

export type Motion = "animated" | "static";

export interface Celebration {
  trigger: MilestoneTrigger;
  startedAt: number;
  endsAt: number;
  /** "static" under prefers-reduced-motion: a still frame, no confetti. */
  motion: Motion;
}

export interface CelebrationQueueOptions {
  durationMs?: number;
  /** Pause between two celebrations so they read as separate moments. */
  gapMs?: number;
  reducedMotion?: boolean;
}

export class CelebrationQueue {
  private readonly pending: MilestoneTrigger[] = [];
  private readonly seen = new Set<number>();
  private active: Celebration | null = null;
  private availableAt = Number.NEGATIVE_INFINITY;
  private durationMs: number;
  private readonly gapMs: number;
  private reducedMotion: boolean;

  constructor(options: CelebrationQueueOptions = {}) {
    this.durationMs = options.durationMs ?? 9000;
    this.gapMs = options.gapMs ?? 800;
    this.reducedMotion = options.reducedMotion ?? false;
  }

  /** Marks triggers as already known (e.g. history loaded over REST): they will never be shown. */
  markSeen(ids: Iterable<number>): void {
    for (const id of ids) this.seen.add(id);
  }

  /** How long the celebrations started from now on show. */
  setDurationMs(ms: number): void {
    this.durationMs = ms;
  }

  setReducedMotion(reduced: boolean): void {
    this.reducedMotion = reduced;
  }

  /** Queues a trigger unless it was seen before. Returns whether it was accepted. */
  offer(trigger: MilestoneTrigger, now: number): boolean {
    if (this.seen.has(trigger.id)) return false;
    this.seen.add(trigger.id);
    this.pending.push(trigger);
    this.advance(now);
    return true;
  }

  /** Ends the current celebration when its time is up and starts the next one when due. */
  advance(now: number): Celebration | null {
    if (this.active && now >= this.active.endsAt) {
      this.availableAt = this.active.endsAt + this.gapMs;
      this.active = null;
    }
    if (!this.active && this.pending.length > 0 && now >= this.availableAt) {
      const trigger = this.pending.shift() as MilestoneTrigger;
      this.active = {
        trigger,
        startedAt: now,
        endsAt: now + this.durationMs,
        motion: this.reducedMotion ? "static" : "animated",
      };
    }
    return this.active;
  }

  /** Ends the current celebration early (an operator dismissed it). */
  dismiss(now: number): Celebration | null {
    if (this.active) {
      this.active = { ...this.active, endsAt: Math.min(this.active.endsAt, now) };
    }
    return this.advance(now);
  }

  current(): Celebration | null {
    return this.active;
  }

  /** How many are waiting behind the current one. */
  waiting(): number {
    return this.pending.length;
  }

  /** True while a celebration is on screen or waiting: the scene rotation holds still. */
  busy(): boolean {
    return this.active !== null || this.pending.length > 0;
  }

  /** When `advance` should next be called, or null when nothing is pending. */
  nextWakeAt(): number | null {
    if (this.active) return this.active.endsAt;
    if (this.pending.length > 0) return this.availableAt;
    return null;
  }
}

/** The headline number of a trigger: "1,000,000 sats" or "10,000 transactions". */
export function milestoneValue(trigger: Pick<MilestoneTrigger, "type" | "threshold">): {
  value: number;
  unit: string;
} {
  return {
    value: trigger.threshold,
    unit: trigger.type === "volume" ? "sats" : trigger.threshold === 1 ? "transaction" : "transactions",
  };
}

const SCALE: Record<string, number> = { k: 1e3, m: 1e6, b: 1e9 };

/**
 * Whether a milestone's name already states its threshold ("1,000 sales", "1M sats", "10 000 coffees"
 * for 1000, 1,000,000 and 10,000): the overlay then shows the name as its headline instead of
 * repeating the number beneath it.
 */
export function nameStatesValue(name: string, value: number): boolean {
  const numbers = /(\d+(?:[.,\u00a0\u202f ]\d+)*)\s*([kmb](?![a-z]))?/gi;
  for (const m of name.matchAll(numbers)) {
    const digits = (m[1] ?? "").replace(/[,\u00a0\u202f ]/g, "");
    const n = Number(digits) * (SCALE[(m[2] ?? "").toLowerCase()] ?? 1);
    if (Math.abs(n - value) < 1e-6) return true;
  }
  return false;
}
