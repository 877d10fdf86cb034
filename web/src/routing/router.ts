// Routing without a router library: the server serves index.html for `/`, `/admin` and `/recap`.
import { useSyncExternalStore } from "react";

export type Route = "dashboard" | "admin" | "recap";

/** Pure: which screen a path shows. */
export function routeFor(pathname: string): Route {
  const p = pathname.replace(/\/+$/, "").toLowerCase();
  if (p === "/recap") return "recap";
  return p === "/admin" || p.startsWith("/admin/") ? "admin" : "dashboard";
}

const NAVIGATE = "app:navigate";

function subscribe(callback: () => void): () => void {
  window.addEventListener("popstate", callback);
  window.addEventListener(NAVIGATE, callback);
  return () => {
    window.removeEventListener("popstate", callback);
    window.removeEventListener(NAVIGATE, callback);
  };
}

/** The current location (path + query), updated on back/forward and `navigate()`. */
export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(
    subscribe,
    () => window.location.pathname + window.location.search,
    () => "/",
  );
  const url = new URL(href, "http://local");
  return { pathname: url.pathname, search: url.search };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATE));
}
