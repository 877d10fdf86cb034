import { useCallback, useLayoutEffect, useRef } from "react";

/**
 * FLIP reordering: remembers where each keyed row was, and when rows move after a render,
 * starts them at their old position and lets them glide to the new one.
 * Returns a ref factory: `<li ref={flipRef(key)}>`.
 */
export function useFlip(order: string[], enabled: boolean, durationMs = 700) {
  const nodes = useRef(new Map<string, HTMLElement>());
  const positions = useRef(new Map<string, number>());
  const signature = order.join("|");

  // biome-ignore lint/correctness/useExhaustiveDependencies: measure again exactly when the order changes
  useLayoutEffect(() => {
    const next = new Map<string, number>();
    for (const [key, el] of nodes.current) next.set(key, el.getBoundingClientRect().top);
    if (enabled) {
      for (const [key, top] of next) {
        const before = positions.current.get(key);
        const el = nodes.current.get(key);
        if (before === undefined || !el || typeof el.animate !== "function") continue;
        const dy = before - top;
        if (Math.abs(dy) < 1) continue;
        el.animate([{ transform: `translateY(${dy}px)` }, { transform: "translateY(0)" }], {
          duration: durationMs,
          easing: "cubic-bezier(0.22, 1, 0.36, 1)",
        });
      }
    }
    positions.current = next;
  }, [signature, enabled, durationMs]);

  return useCallback(
    (key: string) => (el: HTMLElement | null) => {
      if (el) nodes.current.set(key, el);
      else nodes.current.delete(key);
    },
    [],
  );
}
