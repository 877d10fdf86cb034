import type { MerchantLeader, Metric, ProductLeader } from "../api/types";
import { formatCompact, formatInteger } from "../format/number";
import { useFlip } from "./useFlip";

export interface LeaderRow {
  key: string;
  name: string;
  detail?: string;
  transactions: number;
  volume: number;
  data: Record<`data-${string}`, string>;
}

export function merchantRows(list: MerchantLeader[] | undefined): LeaderRow[] {
  return (list ?? []).map((m) => ({
    key: `m:${m.merchant_id}`,
    name: m.alias || `Merchant ${m.merchant_id}`,
    transactions: m.transactions,
    volume: m.volume_sats,
    data: { "data-merchant-id": m.merchant_id },
  }));
}

export function productRows(list: ProductLeader[] | undefined, aliases: Record<string, string>): LeaderRow[] {
  return (list ?? []).map((p) => ({
    key: `p:${p.merchant_id}:${p.product_id}`,
    name: p.name || `Product ${p.product_id}`,
    detail: aliases[p.merchant_id] ?? `Merchant ${p.merchant_id}`,
    transactions: p.transactions,
    volume: p.volume_sats,
    data: { "data-merchant-id": p.merchant_id, "data-product-id": String(p.product_id) },
  }));
}

export interface LeaderboardProps {
  testId: string;
  title: string;
  subtitle: string;
  metric: Metric;
  rows: LeaderRow[] | undefined;
  animate: boolean;
  variant?: "venue" | "compact";
  limit?: number;
  headingId: string;
  emptyText?: string;
  error?: string | null;
}

function metricText(metric: Metric, row: LeaderRow, compact: boolean): { main: string; unit: string } {
  if (metric === "volume")
    return { main: compact ? formatCompact(row.volume) : formatInteger(row.volume), unit: "sats" };
  return { main: formatInteger(row.transactions), unit: row.transactions === 1 ? "sale" : "sales" };
}

/** A ranked list with proportional bars; rows glide to their new place when ranks change. */
export function Leaderboard(props: LeaderboardProps) {
  const { metric, variant = "venue", limit = 10 } = props;
  const rows = (props.rows ?? []).slice(0, limit);
  const flipRef = useFlip(
    rows.map((r) => r.key),
    props.animate,
  );
  const value = (r: LeaderRow) => (metric === "volume" ? r.volume : r.transactions);
  const max = Math.max(1, ...rows.map(value));
  return (
    <section
      className={`leaderboard leaderboard--${variant}`}
      aria-labelledby={props.headingId}
      data-testid={props.testId}
      data-metric={metric}
    >
      <header className="leaderboard__header">
        <h2 className="leaderboard__title section-title" id={props.headingId}>
          {props.title}
        </h2>
        <p className="leaderboard__subtitle">{props.subtitle}</p>
      </header>
      {props.rows === undefined && !props.error ? <p className="leaderboard__empty">Loading…</p> : null}
      {props.rows !== undefined && rows.length === 0 ? (
        <p className="leaderboard__empty">{props.emptyText ?? "No sales in this window yet."}</p>
      ) : null}
      {props.error && props.rows === undefined ? (
        <p className="leaderboard__empty leaderboard__empty--error">Could not load: {props.error}</p>
      ) : null}
      <ol className="leaderboard__list">
        {rows.map((row, i) => {
          const main = metricText(metric, row, variant === "compact");
          const other =
            metric === "volume"
              ? `${formatInteger(row.transactions)} ${row.transactions === 1 ? "sale" : "sales"}`
              : `${formatCompact(row.volume)} sats`;
          return (
            <li
              key={row.key}
              ref={flipRef(row.key)}
              className={`leaderboard__row${i === 0 ? " is-leader" : ""}`}
              data-testid="leaderboard-row"
              data-rank={i + 1}
              {...row.data}
            >
              <span className="leaderboard__rank">
                <span className="sr-only">Rank </span>
                {i + 1}
              </span>
              <span className="leaderboard__name">
                <span className="leaderboard__label">{row.name}</span>
                {row.detail ? <span className="leaderboard__detail">{row.detail}</span> : null}
              </span>
              <span className="leaderboard__bar" aria-hidden="true">
                <span
                  className={`leaderboard__fill leaderboard__fill--${metric}`}
                  style={{ transform: `scaleX(${Math.max(0.01, value(row) / max)})` }}
                />
              </span>
              <span className="leaderboard__value">
                <span className={`leaderboard__main${metric === "volume" ? " is-sats" : ""}`}>
                  {main.main}
                  <span className="leaderboard__unit"> {main.unit}</span>
                </span>
                <span className="leaderboard__other">{other}</span>
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
