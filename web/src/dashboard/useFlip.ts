import { useCallback, useLayoutEffect, useRef } from "react";

/**
 * FLIP reordering: remembers where each keyed row was, and when rows move after a render,
 * starts them at their old position and lets them glide to the new one.
 * Returns a ref factory: `<li ref={flipRef(key)}>`.
 *
 * A reorder can land while rows are still gliding from the previous one. Positions are therefore layout
 * positions within the list (offsetTop ignores the in-flight transform, and does not move when something
 * above the list grows), and a row still moving starts its new glide from where it is seen now: its old
 * layout place plus the running animation's current offset, read before that animation is cancelled.
 * Measuring painted boxes instead made such rows jump to the mirror of their place and pile up.
 */
export function useFlip(order: string[], enabled: boolean, durationMs = 700) {
  const nodes = useRef(new Map<string, HTMLElement>());
  const positions = useRef(new Map<string, number>());
  const running = useRef(new Map<string, Animation>());
  const signature = order.join("|");

  // biome-ignore lint/correctness/useExhaustiveDependencies: measure again exactly when the order changes
  useLayoutEffect(() => {
    const next = new Map<string, number>();
    for (const [key, el] of nodes.current) next.set(key, layoutTop(el));
    for (const [key, top] of next) {
      const el = nodes.current.get(key);
      const before = positions.current.get(key);
      if (!el) continue;
      const offset = running.current.has(key) ? currentOffset(el) : 0;
      running.current.get(key)?.cancel();
      running.current.delete(key);
      if (!enabled || before === undefined || typeof el.animate !== "function") continue;
      const dy = before + offset - top;
      if (Math.abs(dy) < 1) continue;
      const animation = el.animate([{ transform: `translateY(${dy}px)` }, { transform: "translateY(0)" }], {
        duration: durationMs,
        easing: "cubic-bezier(0.22, 1, 0.36, 1)",
      });
      running.current.set(key, animation);
      animation.onfinish = () => {
        if (running.current.get(key) === animation) running.current.delete(key);
      };
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

/** The row's top within its list, from layout alone (no transform). */
function layoutTop(el: HTMLElement): number {
  const list = el.parentElement;
  if (!list || el.offsetParent === list) return el.offsetTop;
  return el.offsetTop - list.offsetTop;
}

/** The vertical offset a running animation paints the row at right now. */
function currentOffset(el: HTMLElement): number {
  const transform = getComputedStyle(el).transform;
  if (!transform || transform === "none") return 0;
  return new DOMMatrixReadOnly(transform).m42;
}
