import { useEffect, useMemo } from "react";
import { AdminApp } from "../admin/AdminApp";
import { createPublicApi } from "../api/client";
import { AttendeePage } from "../attendee/AttendeePage";
import { BoothScreen } from "../booth/BoothScreen";
import {
  type DashboardSettings,
  DEFAULT_SETTINGS,
  parseSettings,
  settingsToSearch,
} from "../dashboard/settings";
import { VenueDashboard } from "../dashboard/VenueDashboard";
import { navigate, routeFor, useLocation } from "../routing/router";

const api = createPublicApi();

/**
 * What a parameter the URL leaves out means. The event's own settings (from the server) lay over these
 * once they are wired in; the attendee page's sound stays off unless its own URL or switch says on.
 */
const DEFAULTS: DashboardSettings = DEFAULT_SETTINGS;
const ATTENDEE_DEFAULTS: DashboardSettings = { ...DEFAULTS, sound: false };

/** `/` → dashboard (venue, attendee with ?mode=attendee, a booth with ?merchant=ID), `/admin` → admin. */
export function App() {
  const { pathname, search } = useLocation();
  const route = routeFor(pathname);
  const attendee = new URLSearchParams(search).get("mode")?.toLowerCase() === "attendee";
  const defaults = attendee ? ATTENDEE_DEFAULTS : DEFAULTS;
  const settings = useMemo(() => parseSettings(search, defaults), [search, defaults]);

  useEffect(() => {
    document.documentElement.dataset.route = route === "admin" ? "admin" : settings.mode;
    if (route !== "admin") document.title = `${settings.event} · Live`;
  }, [route, settings.mode, settings.event]);

  // The screens' theme comes from the settings object (today the URL; an event setting can feed the
  // same field). The admin area keeps its own dark styling.
  useEffect(() => {
    const root = document.documentElement;
    if (route === "admin") delete root.dataset.theme;
    else root.dataset.theme = settings.theme;
  }, [route, settings.theme]);

  if (route === "admin") return <AdminApp />;
  // Settings live in the URL, so a configured screen survives a reload.
  const update = (next: DashboardSettings) =>
    navigate(`${pathname}${settingsToSearch(next, defaults)}`, { replace: true });
  if (settings.mode === "attendee") return <AttendeePage api={api} settings={settings} onSettings={update} />;
  if (settings.merchant !== null) {
    // Keyed by merchant: another booth is another live feed, not this one's state relabelled.
    return (
      <BoothScreen
        key={settings.merchant}
        api={api}
        settings={settings}
        merchantId={settings.merchant}
        onSettings={update}
      />
    );
  }
  return <VenueDashboard api={api} settings={settings} onSettings={update} />;
}
