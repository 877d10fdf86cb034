// What the live feed has already shown: sales (one arriving by stream and again by REST shows once)
// and milestone triggers (each celebrates once; the history found at load never does).
import type { MilestoneTrigger } from "../api/types";

const SEEN_SALES_LIMIT = 5000;

/** Sale keys seen lately; past `limit` the oldest is forgotten, so a screen running all day stays small. */
export class SeenSales {
  private readonly keys = new Set<string>();

  constructor(private readonly limit = SEEN_SALES_LIMIT) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    this.keys.add(key);
    if (this.keys.size > this.limit) {
      const oldest = this.keys.values().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
  }
}

/** Milestone triggers already announced. */
export class SeenTriggers {
  private readonly ids = new Set<number>();
  private primed = false;

  /** True only the first time a well-formed trigger shows up: that is when it is announced. */
  isNew(trigger: MilestoneTrigger): boolean {
    if (!trigger || typeof trigger.id !== "number" || this.ids.has(trigger.id)) return false;
    this.ids.add(trigger.id);
    return true;
  }

  /**
   * The triggers of a REST list (newest first) to announce, oldest first. The first list only marks
   * history as seen: what fired before the page loaded is never celebrated.
   */
  newInList(list: MilestoneTrigger[]): MilestoneTrigger[] {
    const rows = Array.isArray(list) ? [...list].reverse() : [];
    if (this.primed) return rows.filter((t) => this.isNew(t));
    this.primed = true;
    for (const t of rows) this.ids.add(t.id);
    return [];
  }
}
