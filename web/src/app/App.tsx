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
  if (settings.mode === "attendee") return <AttendeePage api={api} settings={settings} />;
  // Settings live in the URL, so a configured screen survives a reload.
  const update = (next: DashboardSettings) =>
    navigate(`${pathname}${settingsToSearch(next)}`, { replace: true });
  return <VenueDashboard api={api} settings={settings} onSettings={update} />;
}
