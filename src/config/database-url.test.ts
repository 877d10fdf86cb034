import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { describeDatabaseUrl } from "./database-url.js";

const TOKEN = "a".repeat(32);

describe("DATABASE_URL", () => {
  it("is absent by default: the service runs on the SQLite file", () => {
    expect(loadConfig({ ADMIN_TOKEN: TOKEN }).config.databaseUrl).toBeUndefined();
    expect(loadConfig({ ADMIN_TOKEN: TOKEN, DATABASE_URL: " " }).config.databaseUrl).toBeUndefined();
  });

  it("takes a postgres:// or postgresql:// URL as it is", () => {
    for (const url of ["postgres://u:p@127.0.0.1:5432/live", "postgresql://db.local/live?sslmode=require"]) {
      expect(loadConfig({ ADMIN_TOKEN: TOKEN, DATABASE_URL: url }).config.databaseUrl).toBe(url);
    }
  });

  it.each([
    ["not a url", "not a URL"],
    ["mysql://u:secret-pw@host/db", "must start with postgres:// or postgresql://, not mysql://"],
    ["postgres:///db", "names no host"],
  ])("refuses %s, naming the variable and never the password", (value, why) => {
    let message = "";
    try {
      loadConfig({ ADMIN_TOKEN: TOKEN, DATABASE_URL: value });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      `invalid DATABASE_URL: ${why}${why === "not a URL" ? " (expected postgres://user:password@host:port/database)" : ""}`,
    );
    expect(message).not.toContain("secret-pw");
  });

  it("is described for logs without user or password", () => {
    expect(describeDatabaseUrl("postgres://live:s3cret@10.0.0.5:6432/pos?sslmode=require")).toBe(
      "postgres://10.0.0.5:6432/pos",
    );
  });
});
