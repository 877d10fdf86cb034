// Words for the Data health panel (DataHealthPanel.tsx): every verdict as text, so nothing is told by
// colour alone. Pure, for unit tests.
import type { MerchantDataHealth, ProductTotalsCheck } from "../api/types";
import { formatInteger } from "../format/number";

/** The badge's look; "alert" marks what needs the operator (stale, disagree), "warn" what may soon. */
export type Tone = "ok" | "warn" | "alert" | "muted";

export interface Verdict {
  label: string;
  tone: Tone;
}

const FRESHNESS: Record<MerchantDataHealth["freshness"], Verdict> = {
  fresh: { label: "Fresh", tone: "ok" },
  late: { label: "Late", tone: "warn" },
  stale: { label: "Stale", tone: "alert" },
  never: { label: "Never polled", tone: "alert" },
  not_polled: { label: "Not polled", tone: "muted" },
};

export function freshnessVerdict(m: Pick<MerchantDataHealth, "freshness">): Verdict {
  return FRESHNESS[m.freshness];
}

/** "45 s", "3 min 5 s", "2 h 10 min". */
export function formatAge(seconds: number): string {
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${s % 60} s`;
  const minutes = Math.floor(s / 60) % 60;
  return `${Math.floor(s / 3600)} h${minutes === 0 ? "" : ` ${minutes} min`}`;
}

/** Why the verdict is what it is: "45 s since the last good poll; expected every 30 s". */
export function freshnessDetail(m: MerchantDataHealth): string {
  if (m.freshness === "not_polled") return m.enabled ? "fed by a webhook" : "disabled";
  const expected = `expected every ${formatAge(m.expected_interval_seconds)}`;
  if (m.seconds_since_poll === undefined) return `no successful poll yet; ${expected}`;
  return `${formatAge(m.seconds_since_poll)} since the last good poll; ${expected}`;
}

export function totalsVerdict(c: ProductTotalsCheck): Verdict {
  if (c.verdict === "agree") return { label: "Agree", tone: "ok" };
  if (c.verdict === "disagree") return { label: "Disagree", tone: "alert" };
  return { label: "Unknown", tone: "muted" };
}

const signed = (n: number) => (n > 0 ? `+${formatInteger(n)}` : n < 0 ? `−${formatInteger(-n)}` : "0");

/** What the comparison found, in a line. */
export function totalsDetail(c: ProductTotalsCheck): string {
  if (c.verdict === "unknown") return c.reason ?? "nothing to compare with";
  const products = `${formatInteger(c.products_compared)} product${c.products_compared === 1 ? "" : "s"}`;
  if (c.verdict === "agree") return `stored sales match the source on ${products}`;
  return (
    `${formatInteger(c.products_differing)} of ${products} differ; stored minus source: ` +
    `${signed(c.transactions_difference)} sales, ${signed(c.revenue_sats_difference)} sats`
  );
}

/** "2 in a row · 5 in all", "none", "5 in all (none now)". */
export function failuresText(m: Pick<MerchantDataHealth, "consecutive_failures" | "total_failures">): string {
  if (m.total_failures === 0) return "none";
  if (m.consecutive_failures === 0) return `${formatInteger(m.total_failures)} in all, none now`;
  return `${formatInteger(m.consecutive_failures)} in a row · ${formatInteger(m.total_failures)} in all`;
}

export { signed as signedInteger };
