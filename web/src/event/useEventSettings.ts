import { useEffect, useMemo, useRef, useState } from "react";
import type { PublicApi } from "../api/client";
import type { EventSettings, Theme } from "../api/types";
import { setDisplayTimeZone } from "../format/time";
import type { LiveClient } from "../live/client";
import { useLocation } from "../routing/router";
import { DEFAULT_EVENT, parseEventOverrides, type ScreenEvent, screenEvent } from "./screen-event";

/** Re-read this often besides the live event (a screen polling without a stream, or one that missed it). */
const REFRESH_MS = 60_000;

/**
 * The event as this screen shows it: GET /v1/event on mount, after each resync of the live feed and
 * every minute, replaced at once by each `event` stream event, with the URL's parameters on top. A
 * failed read keeps what the screen has. Applies what is page-wide: the accent colour (CSS variables),
 * the clocks' time zone and the document title.
 */
export function useEventSettings(
  api: PublicApi,
  client: LiveClient,
  resyncs: number,
  screen: { theme: Theme | null; sound: boolean | null },
): ScreenEvent {
  const [server, setServer] = useState<EventSettings | null>(null);
  const events = useRef(0);
  const { search } = useLocation();
  // theme= and sound= are parsed with the screen's other settings (settings.ts); null: not in the URL.
  const { theme, sound } = screen;
  const overrides = useMemo(
    () => ({
      ...parseEventOverrides(search),
      ...(theme === null ? {} : { theme }),
      ...(sound === null ? {} : { sound }),
    }),
    [search, theme, sound],
  );

  useEffect(
    () =>
      client.onEventSettings((next) => {
        events.current++;
        setServer(next);
      }),
    [client],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: a resync (reconnect, reset) reads them again
  useEffect(() => {
    let alive = true;
    const load = () => {
      const seenEvents = events.current;
      // A read that was on its way when an event arrived may predate the change: dropped.
      api.event().then(
        (settings) => {
          if (alive && events.current === seenEvents) setServer(settings);
        },
        () => {},
      );
    };
    load();
    const id = setInterval(load, REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(id);
    };
  }, [api, resyncs]);

  const event = useMemo(() => screenEvent(server, overrides), [server, overrides]);
  // Before render commits, so the first frame with the new settings shows their clock.
  setDisplayTimeZone(event.timeZone);
  useEffect(() => () => setDisplayTimeZone(undefined), []);
  useEffect(() => {
    document.title = `${event.name} · Live`;
  }, [event.name]);
  useEffect(() => applyAccent(event.accentColor), [event.accentColor]);
  useEffect(() => applyTheme(event.theme), [event.theme]);
  return event;
}

/** The theme on <html data-theme> (styles/themes.css), taken off again when the screen goes (admin). */
function applyTheme(theme: ScreenEvent["theme"]): () => void {
  const root = document.documentElement;
  root.dataset.theme = theme;
  return () => {
    delete root.dataset.theme;
  };
}

const ACCENT_VARIABLES = ["--accent", "--sats", "--sats-bright", "--sats-soft", "--sats-line"];

/**
 * The accent as the CSS variables the screens colour with. The default is left to the style sheets
 * (their hand-picked bright and soft tones); another colour derives them with color-mix.
 */
function applyAccent(color: string): () => void {
  const style = document.documentElement.style;
  const clear = () => {
    for (const name of ACCENT_VARIABLES) style.removeProperty(name);
  };
  if (color.toLowerCase() === DEFAULT_EVENT.accentColor) {
    clear();
    return clear;
  }
  style.setProperty("--accent", color);
  style.setProperty("--sats", color);
  style.setProperty("--sats-bright", `color-mix(in srgb, ${color} 75%, white)`);
  style.setProperty("--sats-soft", `color-mix(in srgb, ${color} 14%, transparent)`);
  style.setProperty("--sats-line", `color-mix(in srgb, ${color} 38%, transparent)`);
  return clear;
}
