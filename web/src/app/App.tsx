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
import { RecapPage } from "../recap/RecapPage";
import { navigate, routeFor, useLocation } from "../routing/router";

const api = createPublicApi();

/**
 * What a parameter the URL leaves out means. Sound and theme left out (null) are the event's stored
 * settings (useEventSettings); the attendee page's sound stays off unless its own URL or switch says on.
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

  // The screens' title follows the event's name (useEventSettings).
  useEffect(() => {
    document.documentElement.dataset.route = route === "dashboard" ? settings.mode : route;
  }, [route, settings.mode]);

  // The screens' theme (the event's, or the URL's theme=) is put on <html> by useEventSettings; the
  // admin area keeps its own dark styling.

  if (route === "admin") return <AdminApp />;
  if (route === "recap") return <RecapPage api={api} />;
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
