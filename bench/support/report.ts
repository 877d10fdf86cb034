/** One line of the benchmark table: a figure, what it is compared with, and the target it must meet. */
export interface BenchRow {
  section: string;
  metric: string;
  value: number;
  unit: string;
  /** The figure measured in the same run that `value` is compared with, if any. */
  baseline?: number | undefined;
  baselineLabel?: string | undefined;
  /** value / baseline when there is a baseline. */
  ratio?: number | undefined;
  /** Human-readable target, e.g. "≥ 50 % of baseline" or "< 10 ms". */
  target?: string | undefined;
  /** undefined = informational row without a target. */
  pass?: boolean | undefined;
  /** Individual runs behind a median, for the JSON output. */
  runs?: number[] | undefined;
}

/** How many warn/error lines the server logged while `what` ran: every section reports it. */
export function serverLogRow(section: string, what: string, lines: number): BenchRow {
  return { section, metric: `server log lines at warn/error level, ${what}`, value: lines, unit: "lines" };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function fmt(n: number | undefined, unit = ""): string {
  if (n === undefined || Number.isNaN(n)) return "–";
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const s = n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${s} ${unit}` : s;
}

export function markdownTable(rows: BenchRow[]): string {
  const out = [
    "| section | metric | value | baseline | ratio | target | result |",
    "|---|---|---:|---:|---:|---|---|",
  ];
  for (const r of rows) {
    const baseline =
      r.baseline === undefined
        ? "–"
        : `${fmt(r.baseline, r.unit)}${r.baselineLabel ? ` (${r.baselineLabel})` : ""}`;
    const ratio = r.ratio === undefined ? "–" : `${(r.ratio * 100).toFixed(0)} %`;
    const result = r.pass === undefined ? "info" : r.pass ? "pass" : "**FAIL**";
    out.push(
      `| ${r.section} | ${r.metric} | ${fmt(r.value, r.unit)} | ${baseline} | ${ratio} | ${r.target ?? "–"} | ${result} |`,
    );
  }
  return out.join("\n");
}
