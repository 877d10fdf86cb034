/** Runs `work` over `items` with at most `limit` at once; resolves when all have settled. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch {
        // work() reports its own failures; one must never stop the others.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Timed waits that can all be ended at once (the poller's spread polls, when it stops). */
export class Pauses {
  private readonly waiting = new Map<NodeJS.Timeout, () => void>();

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiting.delete(t);
        resolve();
      }, ms);
      this.waiting.set(t, resolve);
    });
  }

  endAll(): void {
    for (const [t, resume] of this.waiting) {
      clearTimeout(t);
      resume();
    }
    this.waiting.clear();
  }
}
