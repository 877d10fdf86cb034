import { useEffect, useMemo } from "react";
import { AdminApp } from "../admin/AdminApp";
import { createPublicApi } from "../api/client";
import { AttendeePage } from "../attendee/AttendeePage";
import { type DashboardSettings, parseSettings, settingsToSearch } from "../dashboard/settings";
import { VenueDashboard } from "../dashboard/VenueDashboard";
import { navigate, routeFor, useLocation } from "../routing/router";

const api = createPublicApi();

/** `/` → dashboard (venue, or attendee with ?mode=attendee), `/admin` → admin. */
export function App() {
  const { pathname, search } = useLocation();
  const route = routeFor(pathname);
  const settings = useMemo(() => parseSettings(search), [search]);

  // The screens' title follows the event's name (useEventSettings).
  useEffect(() => {
    document.documentElement.dataset.route = route === "admin" ? "admin" : settings.mode;
  }, [route, settings.mode]);

  if (route === "admin") return <AdminApp />;
  if (settings.mode === "attendee") return <AttendeePage api={api} settings={settings} />;
  // Settings live in the URL, so a configured screen survives a reload.
  const update = (next: DashboardSettings) =>
    navigate(`${pathname}${settingsToSearch(next)}`, { replace: true });
  return <VenueDashboard api={api} settings={settings} onSettings={update} />;
}
