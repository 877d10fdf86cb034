import { type CSSProperties, type ReactNode, useLayoutEffect, useRef, useState } from "react";
import type { DisplayCurrency, Summary } from "../api/types";
import { formatCompact, formatFiat, formatInteger, formatRate } from "../format/number";
import { formatWindowLabel, toGoDuration } from "../format/time";
import { useTweenedNumber } from "../hooks/useTweenedNumber";
import { shownTotals, volumeDisplay } from "./money";

type Size = "hero" | "primary" | "secondary";

/**
 * Shrinks a value's font (via the --fit CSS variable) just enough for it to fit its tile, so a
 * growing total never overflows. Re-measured when the text length or the tile size changes.
 */
function useFitText(textLength: number) {
  const box = useRef<HTMLParagraphElement | null>(null);
  const content = useRef<HTMLSpanElement | null>(null);
  const [fit, setFit] = useState(1);
  const fitRef = useRef(1);
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-measure when the text gets longer or shorter
  useLayoutEffect(() => {
    const el = box.current;
    const inner = content.current;
    if (!el || !inner) return;
    const measure = () => {
      const available = el.clientWidth;
      const natural = inner.offsetWidth / fitRef.current;
      if (available <= 0 || natural <= 0) return;
      const next = Math.min(1, Math.floor((available / natural) * 200) / 200);
      if (Math.abs(next - fitRef.current) >= 0.005) {
        fitRef.current = next;
        setFit(next);
      }
    };
    measure();
    if (typeof ResizeObserver !== "function") return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [textLength]);
  return { box, content, fit };
}

export interface KpiTileProps {
  testId: string;
  label: string;
  /** The raw number: exposed as data-value and (exactly, with separators) as the title. */
  value: number | null | undefined;
  format: (n: number) => string;
  /** Exact text for the title attribute; defaults to the integer with separators. */
  exact?: string;
  unit?: string;
  sub?: ReactNode;
  size?: Size;
  accent?: boolean;
  animate: boolean;
  className?: string;
  /** The time the figure covers ("all time"), said beside the label: the screen mixes windows. */
  window?: string;
  /** Extra data-* attributes on the number element (e.g. data-total). */
  data?: Record<`data-${string}`, string>;
  children?: ReactNode;
}

export function KpiTile(props: KpiTileProps) {
  const { value, size = "primary" } = props;
  const hasValue = typeof value === "number" && Number.isFinite(value);
  const shown = useTweenedNumber(hasValue ? value : 0, props.animate);
  const text = hasValue ? props.format(shown) : "—";
  const { box, content, fit } = useFitText(text.length);
  return (
    <section
      className={`kpi kpi--${size}${props.accent ? " kpi--accent" : ""} ${props.className ?? ""}`}
      aria-label={props.window ? `${props.label}, ${props.window}` : props.label}
    >
      <h3 className="kpi__label">
        {props.label}
        {props.window ? <span className="kpi__window"> · {props.window}</span> : null}
      </h3>
      <p className="kpi__value" ref={box} style={{ "--fit": fit.toFixed(3) } as CSSProperties}>
        <span className="kpi__fitbox" ref={content}>
          <span
            className="kpi__number"
            data-testid={props.testId}
            data-value={hasValue ? String(value) : ""}
            title={hasValue ? (props.exact ?? formatInteger(value)) : undefined}
            {...props.data}
          >
            {text}
          </span>
          {props.unit ? <span className="kpi__unit">{props.unit}</span> : null}
        </span>
      </p>
      {props.sub ? <p className="kpi__sub">{props.sub}</p> : null}
      {props.children}
    </section>
  );
}

function TopLine({ name }: { name: string }) {
  return (
    <>
      <span className="kpi__top-label">Top seller</span> {name}
    </>
  );
}

/** "≈ $4,567.89 · €12.00" from the summary's fiat volumes (empty when there are none). */
export function fiatLine(summary: Pick<Summary, "fiat_volume"> | null | undefined, compact = false): string {
  // The server always sends fiat_volume (possibly empty); only a missing summary has none.
  return (summary?.fiat_volume ?? [])
    .slice(0, 2)
    .map((f) => formatFiat(f.amount, f.currency, { compact }))
    .join(" · ");
}

export interface KpiSet {
  volume: ReactNode;
  transactions: ReactNode;
  average: ReactNode;
  txRate: ReactNode;
  satsRate: ReactNode;
  merchants: ReactNode;
  products: ReactNode;
}

/** What a layout passes to {@link kpiTiles}. */
export interface KpiOptions {
  animate: boolean;
  txSpark?: ReactNode;
  satsSpark?: ReactNode;
  compactFiat?: boolean;
  /** Leader names for the merchants / products tiles, when known. */
  topMerchant?: string;
  topProduct?: string;
  /** How the totals show money (the event's display currency); sats when absent. */
  currency?: DisplayCurrency;
  /** For the since-doors label ("since doors 10:00" today, with the date before). */
  now?: number;
}

/**
 * All KPI tiles for a summary, returned separately so each layout (venue grid, phone list)
 * can place them; sparklines slot into the rate tiles.
 */
export function kpiTiles(summary: Summary | null, options: KpiOptions): KpiSet {
  return { ...totalTiles(summary, options), ...rateTiles(summary, options), ...countTiles(summary, options) };
}

const full = (n: number) => formatInteger(n);

function totalTiles(
  s: Summary | null,
  options: KpiOptions,
): Pick<KpiSet, "volume" | "transactions" | "average"> {
  const { totals, window } = shownTotals(s, options.now ?? Date.now());
  const fiat = fiatLine(totals, options.compactFiat);
  const volume = volumeDisplay(totals?.total_volume_sats, totals?.fiat_volume ?? [], options.currency);
  const sub = volume.sub ?? (fiat ? `≈ ${fiat}` : undefined);
  return {
    volume: (
      <KpiTile
        testId="kpi-total-volume"
        label="Total volume"
        value={volume.value}
        format={volume.format}
        exact={volume.exact}
        unit={volume.unit}
        window={window}
        size="hero"
        accent
        animate={options.animate}
        className="kpi--volume"
        data={{ "data-currency": volume.currency }}
        sub={sub ? <span data-testid="kpi-fiat-volume">{sub}</span> : undefined}
      />
    ),
    transactions: (
      <KpiTile
        testId="kpi-total-transactions"
        label="Transactions"
        value={totals?.total_transactions}
        format={full}
        window={window}
        size="primary"
        animate={options.animate}
        className="kpi--transactions"
      />
    ),
    average: (
      <KpiTile
        testId="kpi-average-sale"
        label="Average sale"
        value={totals?.average_transaction_size}
        format={full}
        exact={totals ? formatInteger(totals.average_transaction_size) : undefined}
        unit="sats"
        window={window}
        size="secondary"
        animate={options.animate}
        className="kpi--average"
      />
    ),
  };
}

/** "avg · last 5 min": the window the summary's rates cover (the server's RATE_WINDOW). */
export function rateWindowLabel(s: Summary | null): string | undefined {
  if (!s || !(s.rate_window_seconds > 0)) return undefined;
  return `avg · last ${formatWindowLabel(toGoDuration(s.rate_window_seconds))}`;
}

function rateTiles(s: Summary | null, options: KpiOptions): Pick<KpiSet, "txRate" | "satsRate"> {
  const window = rateWindowLabel(s);
  const sub = window ? <span data-testid="kpi-rate-window">{window}</span> : undefined;
  return {
    txRate: (
      <KpiTile
        testId="kpi-transactions-per-minute"
        label="Transactions / min"
        value={s?.transactions_per_minute}
        format={formatRate}
        exact={s ? formatRate(s.transactions_per_minute) : undefined}
        size="secondary"
        animate={options.animate}
        className="kpi--rate"
        sub={sub}
      >
        {options.txSpark}
      </KpiTile>
    ),
    satsRate: (
      <KpiTile
        testId="kpi-volume-per-minute"
        label="Sats / min"
        value={s?.volume_per_minute}
        format={(n) => (n >= 1_000_000 ? formatCompact(n) : formatInteger(n))}
        exact={s ? formatInteger(s.volume_per_minute) : undefined}
        size="secondary"
        accent
        animate={options.animate}
        className="kpi--rate"
        sub={sub}
      >
        {options.satsSpark}
      </KpiTile>
    ),
  };
}

function countTiles(s: Summary | null, options: KpiOptions): Pick<KpiSet, "merchants" | "products"> {
  // Enabled merchants include failing ones (the seed's active_merchants): the tile counts those that
  // report, out of those enabled, so a dead upstream shows as "12 / 20", never as "20 / 20".
  const missing = s ? s.active_merchants - s.reporting_merchants : 0;
  return {
    merchants: (
      <KpiTile
        testId="kpi-active-merchants"
        label="Merchants reporting"
        value={s?.reporting_merchants}
        format={full}
        exact={
          s
            ? `${formatInteger(s.reporting_merchants)} of ${formatInteger(s.active_merchants)} enabled merchants reporting`
            : undefined
        }
        unit={s ? `/ ${formatInteger(s.active_merchants)}` : undefined}
        size="secondary"
        animate={options.animate}
        className={`kpi--merchants${missing > 0 ? " kpi--warn" : ""}`}
        data={s ? { "data-total": String(s.active_merchants), "data-missing": String(missing) } : undefined}
        sub={
          missing > 0 ? (
            <span data-testid="kpi-merchants-missing">{formatInteger(missing)} not reporting</span>
          ) : options.topMerchant ? (
            <TopLine name={options.topMerchant} />
          ) : undefined
        }
      />
    ),
    // The catalogue's active products (the seed's unique_products), not units sold: the label says so.
    products: (
      <KpiTile
        testId="kpi-products"
        label="Products on sale"
        value={s?.unique_products}
        format={full}
        size="secondary"
        animate={options.animate}
        className="kpi--products"
        sub={options.topProduct ? <TopLine name={options.topProduct} /> : undefined}
      />
    ),
  };
}
