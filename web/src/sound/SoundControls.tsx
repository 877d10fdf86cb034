import { useEffect, useRef } from "react";
import type { TickerRow } from "../api/types";
import type { Celebration } from "../celebrations/queue";
import { saleKey } from "../live/state";
import type { Sound } from "./useSound";

/** A speaker, with waves when on and a cross when off: drawn, since no emoji font is shipped. */
function SpeakerIcon({ on }: { on: boolean }) {
  return (
    <svg className="sound-icon" viewBox="0 0 24 24" width="1.1em" height="1.1em" aria-hidden="true">
      <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor" />
      {on ? (
        <path
          d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        />
      ) : (
        <path d="M16 9l6 6M22 9l-6 6" fill="none" stroke="currentColor" strokeWidth="2" />
      )}
    </svg>
  );
}

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
      <SpeakerIcon on={on} /> Sound {on ? "on" : "off"}
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
      <SpeakerIcon on={false} />
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
