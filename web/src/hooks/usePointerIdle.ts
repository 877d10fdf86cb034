// A React hook for the wall: after a few seconds without a hand on the mouse or keyboard, the screen
// hides what only an operator needs (controls, cursor); any movement brings it back.
import { useEffect, useState } from "react";

/** How long the pointer rests before the wall counts as unattended. */
export const IDLE_AFTER_MS = 3_000;

const ACTIVITY = ["pointermove", "pointerdown", "keydown", "wheel", "touchstart"] as const;

/**
 * True once nobody has moved the pointer, clicked, scrolled or typed for `idleAfterMs`. It starts
 * active (whoever just opened the page sees the controls), then idles on its own.
 */
export function usePointerIdle(idleAfterMs = IDLE_AFTER_MS): boolean {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    let timer = setTimeout(() => setIdle(true), idleAfterMs);
    const wake = () => {
      clearTimeout(timer);
      setIdle(false);
      timer = setTimeout(() => setIdle(true), idleAfterMs);
    };
    for (const type of ACTIVITY) window.addEventListener(type, wake, { passive: true });
    return () => {
      clearTimeout(timer);
      for (const type of ACTIVITY) window.removeEventListener(type, wake);
    };
  }, [idleAfterMs]);
  return idle;
}
