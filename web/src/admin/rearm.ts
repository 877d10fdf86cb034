// What re-arming a triggered milestone will do, said before it is done: the server fires an armed,
// enabled milestone on its next poll as soon as the totals are at or past its threshold, so
// re-arming one the event has already passed puts the celebration on the big screen at once.
import type { AdminMilestone, Summary } from "../api/types";
import { formatInteger } from "../format/number";

export interface RearmOutcome {
  /** Re-armed now, it fires on the server's next poll. */
  firesAtOnce: boolean;
  /** The confirmation's text. */
  message: string;
  confirmLabel: string;
  /** The toast once it is re-armed. */
  notice: string;
}

type Totals = Pick<Summary, "total_transactions" | "total_volume_sats">;

const unitOf = (m: Pick<AdminMilestone, "type">) => (m.type === "volume" ? "sats" : "transactions");

/** `totals` null: they could not be read, so the outcome is said as a condition. */
export function rearmOutcome(
  m: Pick<AdminMilestone, "name" | "type" | "threshold" | "enabled">,
  totals: Totals | null,
): RearmOutcome {
  const target = `${formatInteger(m.threshold)} ${unitOf(m)}`;
  if (!totals) {
    return {
      firesAtOnce: false,
      message: `The current totals could not be read. If they are already past ${target}, “${m.name}” fires at once and the big screen celebrates it again.`,
      confirmLabel: "Re-arm",
      notice: `“${m.name}” re-armed: it fires once the totals are past ${target} (at once if they already are).`,
    };
  }
  const now = m.type === "volume" ? totals.total_volume_sats : totals.total_transactions;
  const standing = `${formatInteger(now)} now, threshold ${target}`;
  if (now >= m.threshold && m.enabled) {
    return {
      firesAtOnce: true,
      message: `“${m.name}” fires at once: totals are already past it (${standing}). The big screen celebrates it again within seconds.`,
      confirmLabel: "Re-arm and fire now",
      notice: `“${m.name}” re-armed: it fires at once, totals are already past it.`,
    };
  }
  if (now >= m.threshold) {
    return {
      firesAtOnce: false,
      message: `“${m.name}” is disabled and the totals are already past it (${standing}): it fires as soon as you enable it.`,
      confirmLabel: "Re-arm",
      notice: `“${m.name}” re-armed: it fires as soon as it is enabled, totals are already past it.`,
    };
  }
  const when = m.enabled ? "when" : "once it is enabled and";
  return {
    firesAtOnce: false,
    message: `“${m.name}” fires again ${when} the totals reach ${target} (now ${formatInteger(now)}).`,
    confirmLabel: "Re-arm",
    notice: `“${m.name}” re-armed: it fires ${when} the totals reach ${target}.`,
  };
}
