// A React hook for the count-up of KPI numbers.
import { useEffect, useRef, useState } from "react";
import { tweenAt } from "../motion/tween";

/** `target`, animated from the previously shown value over `durationMs` (instant when disabled). */
export function useTweenedNumber(target: number, enabled: boolean, durationMs = 900): number {
  const [shown, setShown] = useState(target);
  const shownRef = useRef(target);
  useEffect(() => {
    const from = shownRef.current;
    if (!enabled || from === target || typeof requestAnimationFrame !== "function") {
      shownRef.current = target;
      setShown(target);
      return;
    }
    const start = performance.now();
    let frame = 0;
    const tick = (t: number) => {
      const progress = (t - start) / durationMs;
      const value = progress >= 1 ? target : tweenAt(from, target, progress);
      shownRef.current = value;
      setShown(value);
      if (progress < 1) frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [target, enabled, durationMs]);
  return shown;
}
