import { useEffect, useRef } from "react";
import type { TickerRow } from "../api/types";
import type { Celebration } from "../celebrations/queue";
import { saleKey } from "../live/state";
import type { Sound } from "./useSound";

/** The screen's one sound switch (in its controls); `sound=1` in the URL sets it too. */
export function SoundToggle({ on, onChange }: { on: boolean; onChange: (on: boolean) => void }) {
  return (
    <button
      type="button"
      className="sound-toggle"
      aria-pressed={on}
      onClick={() => onChange(!on)}
      data-testid="sound-toggle"
      title={on ? "Turn sound off" : "Play a tone on each sale and milestone"}
    >
      <span aria-hidden="true">{on ? "🔊" : "🔇"}</span> Sound {on ? "on" : "off"}
    </button>
  );
}

/**
 * Sound is on but the browser holds the audio back until someone clicks: say so, plainly, where it is
 * seen. A click here (or anywhere) resumes the audio and the prompt goes.
 */
export function SoundPrompt({ sound }: { sound: Sound }) {
  if (sound.state !== "suspended") return null;
  return (
    <button type="button" className="sound-prompt" onClick={sound.unlock} data-testid="sound-prompt">
      <span className="sound-prompt__icon" aria-hidden="true">
        🔈
      </span>
      Click to enable sound
    </button>
  );
}

/**
 * A tone for each sale that joins the ticker after its first load (`loaded`: the rows there by then are
 * history), one for several at once; and a fanfare when a celebration starts.
 */
export function useScreenSounds(
  sound: Sound,
  live: { ticker: readonly TickerRow[]; loaded: boolean },
  celebration: Celebration | null,
) {
  const known = useRef<Set<string> | null>(null);
  const { play } = sound;
  const { ticker, loaded } = live;
  useEffect(() => {
    if (!loaded) return;
    const keys = ticker.map(saleKey);
    const seen = known.current;
    // The ticker only ever gains rows at the top, so the rows on screen are all it needs to remember.
    known.current = new Set(keys);
    if (seen !== null && keys.some((k) => !seen.has(k))) play("sale");
  }, [ticker, loaded, play]);

  const celebrated = celebration?.trigger.id;
  useEffect(() => {
    if (celebrated !== undefined) play("milestone");
  }, [celebrated, play]);
}
