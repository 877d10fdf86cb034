import { useCallback, useEffect, useRef, useState } from "react";
import type { LiveClient } from "../live/client";
import { type Celebration, CelebrationQueue } from "./queue";

export interface CelebrationView {
  current: Celebration | null;
  waiting: number;
  /** True while one is on screen or queued: the scene rotation holds still. */
  busy: boolean;
  dismiss: () => void;
}

/** Feeds the client's post-load milestones into a queue and shows them one at a time. */
export function useCelebrations(
  client: LiveClient,
  reducedMotion: boolean,
  durationMs = 9000,
): CelebrationView {
  const queueRef = useRef<CelebrationQueue | null>(null);
  if (!queueRef.current) queueRef.current = new CelebrationQueue({ durationMs, reducedMotion });
  const queue = queueRef.current;
  const [view, setView] = useState<Omit<CelebrationView, "dismiss">>({
    current: null,
    waiting: 0,
    busy: false,
  });
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const sync = useCallback(() => {
    const now = Date.now();
    const current = queue.advance(now);
    setView({ current, waiting: queue.waiting(), busy: queue.busy() });
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const wake = queue.nextWakeAt();
    if (wake !== null) timer.current = setTimeout(sync, Math.max(0, wake - now));
  }, [queue]);

  useEffect(() => queue.setReducedMotion(reducedMotion), [queue, reducedMotion]);
  // The event's celebration length can change while the screen runs; the next celebration takes it.
  useEffect(() => queue.setDurationMs(durationMs), [queue, durationMs]);

  useEffect(() => {
    const off = client.onMilestone((trigger) => {
      queue.offer(trigger, Date.now());
      sync();
    });
    return () => {
      off();
      if (timer.current) clearTimeout(timer.current);
    };
  }, [client, queue, sync]);

  const dismiss = useCallback(() => {
    queue.dismiss(Date.now());
    sync();
  }, [queue, sync]);

  return { ...view, dismiss };
}
