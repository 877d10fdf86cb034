import { useId, useLayoutEffect, useRef, useState } from "react";
import { formatCompact, formatInteger, formatRate } from "../format/number";
import { formatClock } from "../format/time";
import { chartGeometry, niceAxis, type SeriesPoint, seriesStats } from "./chart";

export type ChartTone = "sats" | "tx";

/** A tiny area chart for a KPI tile; decorative (the tile states the number). */
export function Sparkline({
  points,
  tone,
  testId,
}: {
  points: SeriesPoint[];
  tone: ChartTone;
  testId: string;
}) {
  const gradient = useId();
  const W = 300;
  const H = 60;
  const g = chartGeometry(
    points.map((p) => p.v),
    W,
    H - 4,
  );
  return (
    <svg
      className={`sparkline sparkline--${tone}`}
      viewBox={`0 -2 ${W} ${H}`}
      preserveAspectRatio="none"
      aria-hidden="true"
      data-testid={testId}
      data-points={points.length}
    >
      <defs>
        <linearGradient id={gradient} x1="0" x2="0" y1="0" y2="1">
          <stop offset="0%" stopColor="currentColor" stopOpacity="0.35" />
          <stop offset="100%" stopColor="currentColor" stopOpacity="0" />
        </linearGradient>
      </defs>
      {g.area ? <path d={g.area} fill={`url(#${gradient})`} /> : null}
      {g.line ? <path d={g.line} className="sparkline__line" vectorEffect="non-scaling-stroke" /> : null}
    </svg>
  );
}

export interface TrendChartProps {
  testId: string;
  title: string;
  unit: string;
  points: SeriesPoint[];
  tone: ChartTone;
  headingId: string;
  windowLabel: string;
  /**
   * The "Now" figure: the summary's rate, the very number the rate tile shows (with its window's label),
   * so the two never disagree; without one, the last finished bucket's rate.
   */
  current?: { value: number; label: string } | undefined;
}

const PAD_TOP = 16;

/**
 * The element's pixel size, tracked with ResizeObserver (a fallback before layout), and its CSS font
 * size: the smallest text the screen allows (venue.css's floor), which the axis labels keep to.
 */
function useBoxSize(fallback: { width: number; height: number; font: number }) {
  const ref = useRef<HTMLDivElement | null>(null);
  const [size, setSize] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const r = el.getBoundingClientRect();
      const font = Number.parseFloat(getComputedStyle(el).fontSize) || 12;
      if (r.width > 0 && r.height > 0) {
        setSize({ width: Math.round(r.width), height: Math.round(r.height), font });
      }
    };
    measure();
    if (typeof ResizeObserver !== "function") return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return { ref, size };
}

function tickLabel(value: number, tone: ChartTone): string {
  if (tone === "sats") return formatCompact(value);
  return Number.isInteger(value) ? formatInteger(value) : formatRate(value);
}

/** Per-minute rate over the window as an SVG area chart with a round-number axis. */
export function TrendChart(props: TrendChartProps) {
  const gradient = useId();
  const { ref, size } = useBoxSize({ width: 1600, height: 340, font: 12 });
  const VB_W = size.width;
  const VB_H = size.height;
  // Axis label sizes follow the viewport, like the rest of the venue type, and keep to its floor.
  const font = Math.max(size.font, Math.round(VB_W / 95));
  const PAD_LEFT = Math.round(font * 5);
  const PAD_BOTTOM = Math.round(font * 2.4);
  const values = props.points.map((p) => p.v);
  const plotW = VB_W - PAD_LEFT - 20;
  const plotH = VB_H - PAD_BOTTOM - PAD_TOP;
  const axis = niceAxis(Math.max(0, ...values));
  const g = chartGeometry(values, plotW, plotH, axis.max);
  const stats = seriesStats(props.points);
  const nowValue = props.current?.value ?? stats.latest;
  const fmt = (n: number) => (props.tone === "sats" ? formatCompact(n) : formatRate(n));
  const { ticks } = axis;
  const first = props.points[0]?.t;
  const last = props.points[props.points.length - 1]?.t;
  const mid = first !== undefined && last !== undefined ? (first + last) / 2 : undefined;
  const lastPoint = g.points[g.points.length - 1];
  const peakIndex = values.indexOf(stats.peak);
  const peakPoint = stats.peak > 0 ? g.points[peakIndex] : undefined;
  const description = `${props.title} over the last ${props.windowLabel}: now ${fmt(nowValue)}, peak ${fmt(
    stats.peak,
  )}, average ${fmt(stats.average)} ${props.unit}.`;

  return (
    <section className={`trend trend--${props.tone}`} aria-labelledby={props.headingId}>
      <header className="trend__header">
        <h2 className="trend__title section-title" id={props.headingId}>
          {props.title}
          <span className="trend__window"> · last {props.windowLabel}</span>
        </h2>
        <dl className="trend__stats">
          <div>
            <dt>
              Now{props.current ? <span className="trend__window"> · {props.current.label}</span> : null}
            </dt>
            <dd className="trend__now" data-testid={`${props.testId}-now`} data-value={String(nowValue)}>
              {fmt(nowValue)}
            </dd>
          </div>
          <div>
            <dt>Peak</dt>
            <dd>{fmt(stats.peak)}</dd>
          </div>
          <div>
            <dt>Average</dt>
            <dd>{fmt(stats.average)}</dd>
          </div>
        </dl>
      </header>
      <div className="trend__box" ref={ref}>
        <svg
          className="trend__chart"
          viewBox={`0 0 ${VB_W} ${VB_H}`}
          width={VB_W}
          height={VB_H}
          style={{ fontSize: font }}
          role="img"
          aria-label={description}
          data-testid={props.testId}
          data-points={props.points.length}
          data-last-start={last === undefined ? "" : new Date(last).toISOString()}
        >
          <defs>
            <linearGradient id={gradient} x1="0" x2="0" y1="0" y2="1">
              <stop offset="0%" stopColor="currentColor" stopOpacity="0.45" />
              <stop offset="100%" stopColor="currentColor" stopOpacity="0.02" />
            </linearGradient>
          </defs>
          {ticks.map((t) => {
            const y = PAD_TOP + plotH - (t / g.max) * plotH;
            return (
              <g key={t} className="trend__grid">
                <line x1={PAD_LEFT} x2={VB_W - 20} y1={y} y2={y} />
                <text x={PAD_LEFT - font * 0.8} y={y + font * 0.35} textAnchor="end">
                  {tickLabel(t, props.tone)}
                </text>
              </g>
            );
          })}
          <g transform={`translate(${PAD_LEFT} ${PAD_TOP})`}>
            {g.area ? <path d={g.area} fill={`url(#${gradient})`} className="trend__area" /> : null}
            {g.line ? <path d={g.line} className="trend__line" /> : null}
            {peakPoint ? <circle cx={peakPoint.x} cy={peakPoint.y} r={7} className="trend__peak" /> : null}
            {lastPoint ? <circle cx={lastPoint.x} cy={lastPoint.y} r={9} className="trend__last" /> : null}
          </g>
          <g className="trend__axis">
            {first !== undefined ? (
              <text x={PAD_LEFT} y={VB_H - font * 0.5} textAnchor="start">
                {formatClock(first)}
              </text>
            ) : null}
            {mid !== undefined ? (
              <text x={PAD_LEFT + plotW / 2} y={VB_H - font * 0.5} textAnchor="middle">
                {formatClock(mid)}
              </text>
            ) : null}
            {last !== undefined ? (
              <text x={VB_W - 20} y={VB_H - font * 0.5} textAnchor="end">
                {formatClock(last)}
              </text>
            ) : null}
          </g>
          {values.length === 0 ? (
            <text x={VB_W / 2} y={VB_H / 2} textAnchor="middle" className="trend__empty">
              Waiting for data…
            </text>
          ) : null}
        </svg>
      </div>
    </section>
  );
}
