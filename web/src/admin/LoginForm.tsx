import { type FormEvent, useState } from "react";
import { createAdminApi } from "../api/client";
import { BrandMark } from "../brand/BrandMark";
import { loginErrorMessage } from "./logic";

/** Sign-in with the admin token, validated by POST /v1/admin/auth/login. */
export function LoginForm({ onLogin, reason }: { onLogin: (token: string) => void; reason: string | null }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const value = token.trim();
    if (!value) {
      setError("Enter the admin token.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await createAdminApi(value).login();
      onLogin(value);
    } catch (err) {
      setError(loginErrorMessage(err));
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <main className="login__card" id="main">
        <div className="brand brand--small">
          <BrandMark />
          <div className="brand__text">
            <p className="admin-bar__title">Live POS Dashboard</p>
            <p className="admin-bar__sub">Admin</p>
          </div>
        </div>
        <h1 className="login__title">Sign in</h1>
        {reason ? (
          <p className="notice notice--warn" role="status" data-testid="login-reason">
            {reason}
          </p>
        ) : null}
        <form className="login__form" onSubmit={submit} data-testid="login-form" noValidate>
          <label className="field__label" htmlFor="admin-token">
            Admin token
          </label>
          <input
            id="admin-token"
            name="token"
            type="password"
            autoComplete="current-password"
            className="input"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "login-error" : "login-hint"}
            data-testid="login-token"
            // biome-ignore lint/a11y/noAutofocus: the only field on a sign-in page operators reach in a hurry
            autoFocus
          />
          {error ? (
            <p className="form-error" id="login-error" role="alert" data-testid="login-error">
              {error}
            </p>
          ) : (
            <p className="field__hint" id="login-hint">
              Kept for this browser tab only.
            </p>
          )}
          <button
            type="submit"
            className="btn btn--primary btn--block login__submit"
            disabled={busy}
            data-testid="login-submit"
          >
            {busy ? "Checking…" : "Sign in"}
          </button>
        </form>
        <p className="login__back">
          <a href="/">← Back to the dashboard</a>
        </p>
      </main>
    </div>
  );
}
