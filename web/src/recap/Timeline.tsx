import type { Timeseries } from "../api/types";
import { formatInteger } from "../format/number";
import { formatDateTime } from "../format/time";

const BAR = 10;
const HEIGHT = 100;

/**
 * Sales per bucket over the recap's range as plain bars: no animation, drawn once, so a printed page
 * shows exactly what the screen did. Each bar names its bucket and figures for screen readers.
 */
export function Timeline({ timeline }: { timeline: Timeseries }) {
  const { buckets } = timeline;
  const most = Math.max(0, ...buckets.map((b) => b.transactions));
  const peak = Math.max(1, most);
  const width = Math.max(1, buckets.length) * BAR;
  const first = buckets[0];
  const last = buckets.at(-1);
  return (
    <figure className="recap-timeline" data-testid="recap-timeline">
      <svg
        viewBox={`0 0 ${width} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label="Sales over time"
      >
        {buckets.map((b, i) => {
          const h = (b.transactions / peak) * (HEIGHT - 4);
          return (
            <rect
              key={b.start}
              className="recap-timeline__bar"
              x={i * BAR + 1}
              y={HEIGHT - h}
              width={BAR - 2}
              height={h}
              data-testid="recap-timeline-bar"
              data-transactions={b.transactions}
            >
              <title>{`${formatDateTime(b.start)}: ${formatInteger(b.transactions)} sales, ${formatInteger(b.volume_sats)} sats`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="recap-timeline__axis">
        <span>{first ? formatDateTime(first.start) : ""}</span>
        <span>
          {formatInteger(buckets.length)} buckets of {formatInteger(timeline.bucket_seconds / 60)} min · peak{" "}
          {formatInteger(most)} sales
        </span>
        <span>{last ? formatDateTime(last.start) : ""}</span>
      </figcaption>
    </figure>
  );
}
