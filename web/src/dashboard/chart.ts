// Pure geometry for the SVG sparklines and trend charts.
import type { Timeseries } from "../api/types";

export interface SeriesPoint {
  t: number;
  v: number;
}

/**
 * A timeseries as per-minute rates (transactions/min or sats/min, whatever the bucket size), finished
 * buckets only. The server's last bucket is always the one holding its "now" (store/timeseries.ts), so
 * it covers only the part of the bucket that has elapsed: plotted as a whole bucket, every chart dove at
 * its right edge. It is left out rather than scaled up to its elapsed part, since a few seconds of a
 * minute scaled to a minute swing wildly (one sale 3 s in would read 20/min), and dropping it needs no
 * clock of ours to agree with the server's.
 */
export function perMinute(
  ts: Timeseries | null | undefined,
  key: "transactions" | "volume_sats",
): SeriesPoint[] {
  if (!ts || !Array.isArray(ts.buckets) || ts.bucket_seconds <= 0) return [];
  const factor = 60 / ts.bucket_seconds;
  return ts.buckets.slice(0, -1).map((b) => ({ t: Date.parse(b.start), v: (Number(b[key]) || 0) * factor }));
}

export interface AxisScale {
  /** The axis maximum: a whole number of steps, at least the data maximum. */
  max: number;
  /** 0, step, 2 × step, … max. */
  ticks: number[];
}

/**
 * A value axis from 0 with about `count` steps of 1, 2 or 5 × 10^k, so that every label is a round
 * number ("600K", "2M"): dividing a round maximum into four gave "625K" and "1.88M" (issue 16, 13).
 */
export function niceAxis(dataMax: number, count = 4): AxisScale {
  const top = dataMax > 0 ? dataMax : 1;
  const exp = 10 ** Math.floor(Math.log10(top / count));
  // The 1-2-5 step whose number of steps is nearest `count`; of two as near, the tighter axis.
  let best = { step: exp, steps: Math.ceil(top / exp), score: Number.POSITIVE_INFINITY };
  for (const e of [exp / 10, exp, exp * 10])
    for (const m of [1, 2, 5]) {
      const step = m * e;
      const steps = Math.max(1, Math.ceil(top / step - 1e-9));
      const score = Math.abs(steps - count);
      if (score < best.score || (score === best.score && steps * step < best.steps * best.step))
        best = { step, steps, score };
    }
  const { step, steps } = best;
  // Multiplied, not added up, so that 0.1 + 0.2 never shows up as 0.30000000000000004.
  const ticks = Array.from({ length: steps + 1 }, (_, i) => Number((i * step).toPrecision(12)));
  return { max: ticks[steps] as number, ticks };
}

export interface ChartGeometry {
  /** SVG path of the line. */
  line: string;
  /** SVG path of the area under the line, closed at the bottom. */
  area: string;
  /** The axis maximum (a round number ≥ the data maximum). */
  max: number;
  points: { x: number; y: number }[];
}

/**
 * Maps values to an SVG box of `width` × `height` (y grows downwards). The axis starts at 0;
 * `max` defaults to a round number above the data so the line never touches the top.
 */
export function chartGeometry(values: number[], width: number, height: number, max?: number): ChartGeometry {
  const top = max ?? niceAxis(Math.max(0, ...values)).max;
  if (values.length === 0) return { line: "", area: "", max: top, points: [] };
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((v, i) => ({
    x: round(values.length > 1 ? i * step : width / 2),
    y: round(height - (Math.max(0, v) / top) * height),
  }));
  const line = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x},${p.y}`).join(" ");
  const first = points[0] as { x: number };
  const last = points[points.length - 1] as { x: number };
  const area = `${line} L${last.x},${height} L${first.x},${height} Z`;
  return { line, area, max: top, points };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function seriesStats(points: SeriesPoint[]): { peak: number; average: number; latest: number } {
  if (points.length === 0) return { peak: 0, average: 0, latest: 0 };
  const values = points.map((p) => p.v);
  return {
    peak: Math.max(...values),
    average: values.reduce((a, b) => a + b, 0) / values.length,
    latest: values[values.length - 1] ?? 0,
  };
}
