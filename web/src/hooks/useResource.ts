// A React hook shared by the venue dashboard and the attendee page.
import { useCallback, useEffect, useRef, useState } from "react";

export interface Resource<T> {
  data: T | undefined;
  error: string | null;
  updatedAt: number | null;
}

/**
 * Fetches `fetcher()` whenever `key` changes, every `refreshMs`, and after `version` changes
 * (throttled to one request per `minGapMs`). Keeps the last good data when a refresh fails;
 * data for an older key is dropped so a title never sits over the wrong numbers.
 */
export function useResource<T>(
  key: string,
  fetcher: () => Promise<T>,
  options: { version?: number; minGapMs?: number; refreshMs?: number; enabled?: boolean } = {},
): Resource<T> {
  const { version = 0, minGapMs = 4000, refreshMs = 30_000, enabled = true } = options;
  const [state, setState] = useState<Resource<T> & { key: string | null }>({
    key: null,
    data: undefined,
    error: null,
    updatedAt: null,
  });
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const lastRun = useRef(0);
  const seq = useRef(0);

  const run = useCallback(async () => {
    const mine = ++seq.current;
    lastRun.current = Date.now();
    try {
      const data = await fetcherRef.current();
      if (mine !== seq.current) return;
      setState({ key, data, error: null, updatedAt: Date.now() });
    } catch (err) {
      if (mine !== seq.current) return;
      const message = err instanceof Error ? err.message : "Request failed";
      setState((s) =>
        s.key === key ? { ...s, error: message } : { key, data: undefined, error: message, updatedAt: null },
      );
    }
  }, [key]);

  useEffect(() => {
    if (!enabled) return;
    void run();
    const id = setInterval(() => void run(), refreshMs);
    return () => clearInterval(id);
  }, [run, refreshMs, enabled]);

  const firstVersion = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-run on purpose whenever the live data version moves
  useEffect(() => {
    if (firstVersion.current) {
      firstVersion.current = false;
      return;
    }
    if (!enabled) return;
    const wait = Math.max(0, lastRun.current + minGapMs - Date.now());
    const id = setTimeout(() => void run(), wait);
    return () => clearTimeout(id);
  }, [version]);

  return state.key === key ? state : { data: undefined, error: null, updatedAt: null };
}
