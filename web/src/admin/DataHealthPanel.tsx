// The Data health tab: per merchant, is its data fresh, are its polls failing, did its answers have
// malformed rows, and do its stored sales add up to the source's own product totals.
import { useCallback, useEffect, useState } from "react";
import "./data-health.css";
import type { DataHealth, MerchantDataHealth, ProductTotalsCheck } from "../api/types";
import { formatInteger } from "../format/number";
import { formatDateTime } from "../format/time";
import { useAdmin } from "./context";
import {
  failuresText,
  freshnessDetail,
  freshnessVerdict,
  signedInteger,
  totalsDetail,
  totalsVerdict,
  type Verdict,
} from "./health-logic";
import { describeError } from "./logic";

/** How often the panel asks again while it is open. */
const REFRESH_MS = 10_000;

export function DataHealthPanel() {
  const { call } = useAdmin();
  const [health, setHealth] = useState<DataHealth | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    call((api) => api.dataHealth()).then(
      (h) => {
        setHealth(h);
        setError(null);
      },
      (err: unknown) => setError(describeError(err)),
    );
  }, [call]);

  useEffect(() => {
    load();
    const id = setInterval(load, REFRESH_MS);
    return () => clearInterval(id);
  }, [load]);

  return (
    <section className="panel" aria-labelledby="health-title" data-testid="health-panel">
      <header className="panel__header">
        <div>
          <h1 className="panel__title" id="health-title">
            Data health
          </h1>
          <p className="panel__sub">
            Fresh: polled within twice its expected interval (backoff included); late: within four times;
            stale: older. Product totals compare the stored sales with the source's own figures.
          </p>
        </div>
        <div className="panel__actions">
          <button type="button" className="btn" onClick={load} data-testid="health-refresh">
            Refresh
          </button>
        </div>
      </header>
      {error ? (
        <p className="notice notice--error" role="alert" data-testid="health-error">
          {error}
        </p>
      ) : null}
      {health ? (
        <p className="panel__sub health-checked" data-testid="health-checked">
          Checked {formatDateTime(health.checked_at)} · POLL_INTERVAL {health.poll_interval_seconds} s
        </p>
      ) : null}
      <div className="table-wrap">
        <table className="table health-table">
          <thead>
            <tr>
              <th scope="col">Merchant</th>
              <th scope="col">Freshness</th>
              <th scope="col">Failures</th>
              <th scope="col">Skipped rows</th>
              <th scope="col">Product totals</th>
            </tr>
          </thead>
          <tbody>
            {health?.merchants.map((m) => (
              <HealthRow key={m.merchant_id} m={m} />
            ))}
            {health && health.merchants.length === 0 ? (
              <tr>
                <td className="table__empty" colSpan={5}>
                  No merchants yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Badge({ verdict, testId }: { verdict: Verdict; testId: string }) {
  return (
    <span
      className={`badge health-badge health-badge--${verdict.tone}`}
      data-testid={testId}
      data-tone={verdict.tone}
    >
      {verdict.tone === "alert" ? "⚠ " : ""}
      {verdict.label}
    </span>
  );
}

function HealthRow({ m }: { m: MerchantDataHealth }) {
  return (
    <tr
      data-testid="health-row"
      data-merchant={m.merchant_id}
      data-freshness={m.freshness}
      data-totals={m.products.verdict}
    >
      <th scope="row" className="table__name">
        {m.alias}
        <span className="table__detail mono">
          {m.merchant_id} · {m.source}
        </span>
      </th>
      <td data-label="Freshness">
        <Badge verdict={freshnessVerdict(m)} testId="health-freshness" />
        <span className="health-detail">{freshnessDetail(m)}</span>
      </td>
      <td data-label="Failures">
        <span data-testid="health-failures">{failuresText(m)}</span>
        {m.last_error ? (
          <span className="health-detail table__error" data-testid="health-last-error">
            Failing now: {m.last_error}
          </span>
        ) : m.last_failure ? (
          <span className="health-detail" data-testid="health-last-failure">
            Last failure{m.last_failed_at ? ` ${formatDateTime(m.last_failed_at)}` : ""}: {m.last_failure}
          </span>
        ) : null}
      </td>
      <td data-label="Skipped rows">
        <span data-testid="health-skipped">
          {formatInteger(m.skipped_rows)} latest · {formatInteger(m.skipped_rows_total)} in all
        </span>
      </td>
      <td data-label="Product totals">
        <Badge verdict={totalsVerdict(m.products)} testId="health-totals" />
        <span className="health-detail" data-testid="health-totals-detail">
          {totalsDetail(m.products)}
        </span>
        <Differences check={m.products} />
      </td>
    </tr>
  );
}

function Differences({ check }: { check: ProductTotalsCheck }) {
  if (check.differences.length === 0) return null;
  return (
    <ul className="health-differences" data-testid="health-differences">
      {check.differences.map((d) => (
        <li key={d.product_id}>
          {d.name}: source {formatInteger(d.source.transactions)} sales /{" "}
          {formatInteger(d.source.revenue_sats)} sats, stored {formatInteger(d.stored.transactions)} /{" "}
          {formatInteger(d.stored.revenue_sats)} (
          {signedInteger(d.stored.revenue_sats - d.source.revenue_sats)} sats)
        </li>
      ))}
    </ul>
  );
}
