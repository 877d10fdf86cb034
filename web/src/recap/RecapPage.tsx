import { useEffect, useState } from "react";
import type { PublicApi } from "../api/client";
import type { Recap } from "../api/types";
import { BrandMark } from "../brand/BrandMark";
import { useEventSettings } from "../event/useEventSettings";
import { formatDecimal, formatFiat, formatInteger } from "../format/number";
import { formatClock, formatDateTime } from "../format/time";
import { LiveClient } from "../live/client";
import { useLocation } from "../routing/router";
import { RecapTables } from "./RecapTables";
import { Timeline } from "./Timeline";
import "./recap.css";

/** The page follows the event's look, light: it is a report to read and print, not a wall screen. */
const SCREEN = { theme: "light", sound: false } as const;

/**
 * /recap: the event's report (GET /v1/recap; ?from= and ?to= pass through) with the event's name, logo
 * and accent. Read once: a report holds still while it is read or printed (Print → PDF; recap.css).
 */
export function RecapPage({ api }: { api: PublicApi }) {
  const { search } = useLocation();
  // Never started: it only carries the event settings' listener useEventSettings asks for; the page
  // reads them over REST and needs no stream.
  const [client] = useState(
    () =>
      new LiveClient({
        api: { summary: () => api.summary(), ticker: api.ticker, triggers: () => api.triggers() },
        EventSource: null,
      }),
  );
  const event = useEventSettings(api, client, 0, SCREEN);
  const [recap, setRecap] = useState<Recap | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const q = new URLSearchParams(search);
    api.recap({ from: q.get("from") ?? undefined, to: q.get("to") ?? undefined }).then(
      (r) => {
        setRecap(r);
        setError(null);
      },
      (e: unknown) => setError(e instanceof Error ? e.message : "The recap could not be loaded."),
    );
  }, [api, search]);
  useEffect(() => {
    document.title = `${event.name} · Recap`;
  }, [event.name]);

  return (
    <main className="recap" data-testid="recap">
      <header className="recap__head">
        <div className="brand">
          <BrandMark logoUrl={event.logoUrl} />
          <div className="brand__text">
            <h1 className="recap__title">{event.name}</h1>
            <p className="recap__sub">
              Event recap
              {recap ? (
                <span data-testid="recap-range">
                  {" "}
                  · {formatDateTime(recap.from)} – {formatDateTime(recap.to)}
                </span>
              ) : null}
            </p>
          </div>
        </div>
        <button type="button" className="recap__print" onClick={() => window.print()}>
          Print or save as PDF
        </button>
      </header>
      {error ? (
        <p className="recap__error" role="alert">
          {error}
        </p>
      ) : null}
      {recap ? <RecapBody recap={recap} /> : error ? null : <p className="recap__sub">Loading the recap…</p>}
    </main>
  );
}

function RecapBody({ recap }: { recap: Recap }) {
  const { totals, busiest_hour: busiest } = recap;
  return (
    <>
      <section className="recap-section" aria-labelledby="recap-totals">
        <h2 className="recap-section__title" id="recap-totals">
          Totals
        </h2>
        <dl className="recap-totals">
          <Figure label="Transactions" value={formatInteger(totals.total_transactions)} id="transactions" />
          <Figure label="Volume (sats)" value={formatInteger(totals.total_volume_sats)} id="volume" />
          <Figure
            label="Average sale (sats)"
            value={formatDecimal(totals.average_transaction_size, 2)}
            id="average"
          />
          <Figure
            label="Merchants with sales"
            value={formatInteger(recap.merchants.length)}
            id="merchant-count"
          />
          {totals.fiat_volume.map((f) => (
            <Figure
              key={f.currency}
              label={`Fiat (${f.currency.toUpperCase()})`}
              value={formatFiat(f.amount, f.currency)}
              id={`fiat-${f.currency}`}
            />
          ))}
          <Figure
            label="Busiest hour"
            value={
              busiest
                ? `${formatClock(busiest.start)} · ${formatInteger(busiest.transactions)} sales`
                : "No sales"
            }
            id="busiest-hour"
            at={busiest?.start}
          />
        </dl>
      </section>
      <section className="recap-section" aria-labelledby="recap-timeline-title">
        <h2 className="recap-section__title" id="recap-timeline-title">
          Timeline
        </h2>
        <Timeline timeline={recap.timeline} />
      </section>
      <RecapTables recap={recap} />
      <p className="recap__generated">
        Figures from {formatDateTime(recap.from)} to {formatDateTime(recap.to)} (end excluded); merchant and
        product counts as of now.
      </p>
    </>
  );
}

function Figure({
  label,
  value,
  id,
  at,
}: {
  label: string;
  value: string;
  id: string;
  at?: string | undefined;
}) {
  return (
    <div className="recap-figure">
      <dt className="recap-figure__label">{label}</dt>
      <dd className="recap-figure__value" data-testid={`recap-${id}`} data-at={at}>
        {value}
      </dd>
    </div>
  );
}
