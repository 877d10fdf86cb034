// Pure easing for a number animating to a new value (the KPI tiles count up with it).

/** Ease-out cubic: fast start, gentle landing — for numbers tweening to a new value. */
export function easeOutCubic(t: number): number {
  const c = Math.min(1, Math.max(0, t));
  return 1 - (1 - c) ** 3;
}

export function tweenAt(from: number, to: number, progress: number): number {
  return from + (to - from) * easeOutCubic(progress);
}
