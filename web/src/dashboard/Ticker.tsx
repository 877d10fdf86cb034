import { useRef } from "react";
import type { TickerRow } from "../api/types";
import { formatFiat, formatInteger } from "../format/number";
import { formatClock, formatRelative } from "../format/time";
import { saleKey } from "../live/state";

export interface TickerProps {
  rows: TickerRow[];
  now: number;
  limit?: number;
  variant?: "venue" | "compact";
  title?: string;
  headingId?: string;
}

/**
 * Latest sales, newest first. Rows that arrive after the first render slide in; the list is a
 * polite live region announcing only additions (relative times are hidden from it, so their
 * ticking is not read out).
 */
export function Ticker({
  rows,
  now,
  limit = 12,
  variant = "venue",
  title = "Latest sales",
  headingId = "ticker-heading",
}: TickerProps) {
  const initial = useRef<Set<string> | null>(null);
  if (initial.current === null && rows.length > 0) initial.current = new Set(rows.map(saleKey));
  const shown = rows.slice(0, limit);
  return (
    <section className={`ticker ticker--${variant}`} aria-labelledby={headingId}>
      <h2 className="ticker__title section-title" id={headingId}>
        <span className="live-dot" aria-hidden="true" />
        {title}
      </h2>
      {shown.length === 0 ? (
        <p className="ticker__empty" data-testid="ticker-empty">
          Waiting for the first sale…
        </p>
      ) : null}
      <ol className="ticker__list" data-testid="ticker" aria-live="polite" aria-relevant="additions">
        {shown.map((row) => {
          const key = saleKey(row);
          const isNew = initial.current !== null && !initial.current.has(key);
          return (
            <li
              key={key}
              className={`ticker__row${isNew ? " is-new" : ""}`}
              data-testid="ticker-row"
              data-sale-id={row.sale_id}
              data-merchant-id={row.merchant_id}
            >
              <span className="ticker__merchant">{row.merchant_alias || `Merchant ${row.merchant_id}`}</span>
              <span className="ticker__amount">
                <span className="ticker__sats">
                  {formatInteger(row.amount_sats)}
                  <span className="ticker__unit"> sats</span>
                </span>
                {typeof row.fiat_amount === "number" ? (
                  <span className="ticker__fiat">{formatFiat(row.fiat_amount, row.currency)}</span>
                ) : null}
              </span>
              <span className="ticker__time">
                <time dateTime={row.sale_date} aria-hidden="true">
                  {formatRelative(row.sale_date, now)}
                </time>
                <span className="sr-only">at {formatClock(row.sale_date, true)}</span>
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
