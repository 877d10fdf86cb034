import { ConfigError } from "./config-error.js";

/**
 * DATABASE_URL, checked for its form only (whether PostgreSQL answers is known when the service opens
 * it). The error names the variable, never the value: it holds a password.
 */
export function databaseUrl(env: Record<string, string | undefined>): string | undefined {
  const raw = env.DATABASE_URL?.trim();
  if (raw === undefined || raw === "") return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      "invalid DATABASE_URL: not a URL (expected postgres://user:password@host:port/database)",
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError(
      `invalid DATABASE_URL: must start with postgres:// or postgresql://, not ${url.protocol}//`,
    );
  }
  if (url.hostname === "" && !url.searchParams.has("host")) {
    throw new ConfigError("invalid DATABASE_URL: names no host");
  }
  return raw;
}

/** DATABASE_URL as logs may show it: without user and password. */
export function describeDatabaseUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.protocol}//${url.host}${url.pathname}`;
}
