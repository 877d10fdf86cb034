import { useEffect, useRef } from "react";
import { formatInteger } from "../format/number";
import { formatClock } from "../format/time";
import { runConfetti } from "./confetti";
import { type Celebration, milestoneValue, nameStatesValue } from "./queue";

export interface CelebrationOverlayProps {
  celebration: Celebration | null;
  waiting: number;
  onDismiss: () => void;
  interactive: boolean;
  /**
   * "full": the wall's full-screen moment. "light": a phone's (the attendee page), a card over the page
   * with a fraction of the confetti, which the page stays usable around.
   */
  variant?: "full" | "light";
}

/** Share of the wall's confetti a light celebration throws. */
const LIGHT_CONFETTI = 0.2;

/** The full-screen milestone moment. Under reduced motion: the same content as a still frame. */
export function CelebrationOverlay({
  celebration,
  waiting,
  onDismiss,
  interactive,
  variant = "full",
}: CelebrationOverlayProps) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const animated = celebration?.motion === "animated";
  const id = celebration?.trigger.id;
  const duration = celebration ? celebration.endsAt - celebration.startedAt : 0;

  // biome-ignore lint/correctness/useExhaustiveDependencies: restart the confetti for each new trigger id
  useEffect(() => {
    if (!animated || !canvas.current) return;
    return runConfetti(canvas.current, duration, variant === "light" ? LIGHT_CONFETTI : 1);
  }, [id, animated, duration, variant]);

  useEffect(() => {
    if (!celebration || !interactive) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onDismiss();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [celebration, interactive, onDismiss]);

  if (!celebration) return null;
  const t = celebration.trigger;

  return (
    <div
      className={`celebration celebration--${celebration.motion} celebration--${variant}`}
      data-testid="celebration"
      data-variant={variant}
      data-milestone-id={t.milestone_id}
      data-trigger-id={t.id}
      data-motion={celebration.motion}
      role="alertdialog"
      aria-modal="false"
      aria-labelledby="celebration-name"
      aria-describedby="celebration-detail"
      key={t.id}
    >
      <div className="celebration__backdrop" aria-hidden="true">
        <div className="celebration__glow" />
        {animated ? <canvas className="celebration__confetti" ref={canvas} /> : null}
      </div>
      <div className="celebration__content">
        <p className="celebration__eyebrow">
          <span className="celebration__badge" aria-hidden="true">
            ★
          </span>
          Milestone reached
        </p>
        <Headline trigger={t} />
        {waiting > 0 ? (
          <p className="celebration__more">
            +{waiting} more milestone{waiting > 1 ? "s" : ""}
          </p>
        ) : null}
      </div>
      <div
        className="celebration__timer"
        aria-hidden="true"
        style={{ animationDuration: `${celebration.endsAt - celebration.startedAt}ms` }}
      />
      {interactive ? (
        <button
          type="button"
          className="celebration__close"
          onClick={onDismiss}
          data-testid="celebration-dismiss"
        >
          Continue
        </button>
      ) : null}
    </div>
  );
}

/**
 * The name, the number and the time. The number once (issue 16, 13): as the name's own words when it
 * states it, else beneath the name; the totals line then gives only the other total, the one the
 * milestone does not count.
 */
function Headline({ trigger: t }: { trigger: Celebration["trigger"] }) {
  const { value, unit } = milestoneValue(t);
  const named = nameStatesValue(t.name, value);
  const otherTotal =
    t.type === "volume"
      ? `${formatInteger(t.total_transactions)} transactions`
      : `${formatInteger(t.total_volume_sats)} sats`;
  return (
    <>
      {named ? (
        <h2
          className="celebration__value celebration__value--named"
          id="celebration-name"
          data-testid="celebration-value"
          data-value={value}
        >
          {t.name}
        </h2>
      ) : (
        <>
          <h2 className="celebration__name" id="celebration-name">
            {t.name}
          </h2>
          <p className="celebration__value" data-testid="celebration-value" data-value={value}>
            {formatInteger(value)}
            <span className="celebration__unit"> {unit}</span>
          </p>
        </>
      )}
      <p className="celebration__detail" id="celebration-detail">
        at <time dateTime={t.triggered_at}>{formatClock(t.triggered_at, true)}</time>
        <span aria-hidden="true"> · </span>
        {otherTotal} in total
      </p>
    </>
  );
}
