import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, createAdminApi } from "../api/client";
import { BrandMark } from "../brand/BrandMark";
import { navigate } from "../routing/router";
import { AdminContext, type AdminTools } from "./context";
import { DataHealthPanel } from "./DataHealthPanel";
import { EventPanel } from "./EventPanel";
import { ExportsPanel } from "./ExportsPanel";
import { LoginForm } from "./LoginForm";
import { clearToken, loadToken, saveToken } from "./logic";
import { MerchantsPanel } from "./MerchantsPanel";
import { MilestonesPanel } from "./MilestonesPanel";
import { ScenesPanel } from "./ScenesPanel";
import { WebhooksPanel } from "./WebhooksPanel";

const TABS = [
  { tab: "merchants", label: "Merchants" },
  { tab: "milestones", label: "Milestones" },
  { tab: "scenes", label: "Scenes" },
  { tab: "event", label: "Event" },
  { tab: "exports", label: "Exports" },
  { tab: "health", label: "Data health" },
  { tab: "webhooks", label: "Webhooks" },
] as const;
type Tab = (typeof TABS)[number]["tab"];

function tabFromHash(): Tab {
  const hash = typeof window === "undefined" ? "" : window.location.hash.slice(1);
  return TABS.find((t) => t.tab === hash)?.tab ?? "merchants";
}

export function AdminApp() {
  const [token, setToken] = useState<string | null>(() => loadToken());
  const [signedOutReason, setSignedOutReason] = useState<string | null>(null);

  useEffect(() => {
    document.title = "Admin · Live POS Dashboard";
  }, []);

  const logout = useCallback((reason: string | null) => {
    clearToken();
    setToken(null);
    setSignedOutReason(reason);
  }, []);

  if (!token) {
    return (
      <LoginForm
        reason={signedOutReason}
        onLogin={(t) => {
          saveToken(t);
          setSignedOutReason(null);
          setToken(t);
        }}
      />
    );
  }
  return <AdminShell token={token} onLogout={logout} />;
}

function AdminShell({ token, onLogout }: { token: string; onLogout: (reason: string | null) => void }) {
  const [tab, setTab] = useState<Tab>(tabFromHash);
  const [notice, setNotice] = useState<{ id: number; text: string } | null>(null);

  useEffect(() => {
    const onHash = () => setTab(tabFromHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  useEffect(() => {
    if (!notice) return;
    const id = setTimeout(() => setNotice(null), 5000);
    return () => clearTimeout(id);
  }, [notice]);

  const tools = useMemo<AdminTools>(() => {
    const api = createAdminApi(token);
    return {
      call: async (fn) => {
        try {
          return await fn(api);
        } catch (err) {
          if (err instanceof ApiError && err.isUnauthorized) {
            onLogout("Your session is no longer valid (the token was rejected). Sign in again.");
          }
          throw err;
        }
      },
      notify: (text) => setNotice({ id: Date.now(), text }),
    };
  }, [token, onLogout]);

  const select = (next: Tab) => {
    setTab(next);
    window.history.replaceState(null, "", `/admin${next === "merchants" ? "" : `#${next}`}`);
  };

  return (
    <AdminContext.Provider value={tools}>
      <div className="admin" data-testid="admin">
        <header className="admin-bar">
          <div className="brand brand--small">
            <BrandMark />
            <div className="brand__text">
              <p className="admin-bar__title">Live POS Dashboard</p>
              <p className="admin-bar__sub">Admin</p>
            </div>
          </div>
          <nav className="admin-tabs" aria-label="Admin sections">
            {TABS.map(({ tab: t, label }) => (
              <button
                key={t}
                type="button"
                className="admin-tabs__tab"
                aria-current={tab === t ? "page" : undefined}
                onClick={() => select(t)}
                data-testid={`admin-tab-${t}`}
              >
                {label}
              </button>
            ))}
          </nav>
          <div className="admin-bar__actions">
            <a
              className="btn btn--ghost"
              href="/"
              onClick={(e) => {
                e.preventDefault();
                navigate("/");
              }}
            >
              View dashboard
            </a>
            <button type="button" className="btn" onClick={() => onLogout(null)} data-testid="logout">
              Log out
            </button>
          </div>
        </header>
        <main className="admin-main" id="main">
          {tab === "merchants" ? <MerchantsPanel /> : null}
          {tab === "milestones" ? <MilestonesPanel /> : null}
          {tab === "scenes" ? <ScenesPanel /> : null}
          {tab === "event" ? <EventPanel /> : null}
          {tab === "exports" ? <ExportsPanel /> : null}
          {tab === "health" ? <DataHealthPanel /> : null}
          {tab === "webhooks" ? <WebhooksPanel /> : null}
        </main>
        <div className="toast-region" role="status" aria-live="polite">
          {notice ? (
            <p className="toast" key={notice.id} data-testid="admin-notice">
              {notice.text}
            </p>
          ) : null}
        </div>
      </div>
    </AdminContext.Provider>
  );
}
