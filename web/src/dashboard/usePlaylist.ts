import { useEffect, useMemo, useRef, useState } from "react";
import type { PublicApi } from "../api/client";
import type { Scene } from "../api/types";
import type { LiveClient } from "../live/client";
import { type PlaylistEntry, playlistFrom } from "./playlist";

/** The playlist is re-read this often besides the live event (a screen polling without a stream, or one that missed an event). */
const REFRESH_MS = 60_000;

/**
 * The venue playlist: read from /v1/scenes on mount, after each resync of the live feed and every
 * minute, and replaced at once by each `scenes` event. A failed read keeps the last known list (the
 * built-in one if none was ever read). A read that was already on its way when an event arrived is
 * dropped: it may predate the change the event announces.
 */
export function usePlaylist(api: PublicApi, client: LiveClient, resyncs: number): readonly PlaylistEntry[] {
  const [scenes, setScenes] = useState<Scene[] | null>(null);
  const events = useRef(0);

  useEffect(
    () =>
      client.onScenes((next) => {
        events.current++;
        setScenes(next);
      }),
    [client],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: a resync (reconnect, reset) reads the list again
  useEffect(() => {
    let alive = true;
    const load = () => {
      const seenEvents = events.current;
      api.scenes().then(
        (list) => {
          if (alive && events.current === seenEvents) setScenes(list);
        },
        () => {
          // Keep rotating what the screen has.
        },
      );
    };
    load();
    const id = setInterval(load, REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(id);
    };
  }, [api, resyncs]);

  return useMemo(() => playlistFrom(scenes), [scenes]);
}
