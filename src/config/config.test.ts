import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseAddr } from "./config.js";

const TOKEN = "x".repeat(40);

describe("loadConfig", () => {
  it("applies the seed's defaults", () => {
    const { config, warnings } = loadConfig({ ADMIN_TOKEN: TOKEN });
    expect(config).toEqual({
      adminToken: TOKEN,
      host: "0.0.0.0",
      port: 8080,
      dbPath: "dashboard.db",
      corsOrigins: ["*"],
      pollIntervalMs: 30_000,
      pollConcurrency: 5,
      httpTimeoutMs: 10_000,
      maxUpstreamBytes: 2 ** 30,
      sourceBaseUrl: "https://api.paywithflash.com",
      tickerLimit: 20,
      leaderboardLimit: 10,
      rateWindowMs: 300_000,
      maxStreamClients: 5000,
      streamHeartbeatMs: 15_000,
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      keepAliveTimeoutMs: 10_000,
      connectionTimeoutMs: 60_000,
      maxConnections: 10_000,
      maxConnectionsPerIp: 2500,
      logLevel: "info",
      logFormat: "json",
      webhookSecret: undefined,
      wifiLightningAddress: "",
      webhookTimeoutMs: 10_000,
      webhookRetryBaseMs: 2000,
      webhookRetryCapMs: 300_000,
      webhookMaxAttempts: 10,
    });
    expect(warnings).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reads every variable", () => {
    const { config } = loadConfig({
      ADMIN_TOKEN: TOKEN,
      ADDR: "127.0.0.1:9090",
      DB_PATH: "/tmp/x.db",
      CORS_ORIGINS: "https://a.example, https://b.example/",
      POLL_INTERVAL: "1m30s",
      POLL_CONCURRENCY: "10",
      HTTP_TIMEOUT: "1.5s",
      MAX_UPSTREAM_BYTES: "512MiB",
      SOURCE_BASE_URL: "http://127.0.0.1:9999/",
      TICKER_LIMIT: "50",
      LEADERBOARD_LIMIT: "25",
      RATE_WINDOW: "10m",
      MAX_STREAM_CLIENTS: "20",
      STREAM_HEARTBEAT: "5s",
      REQUEST_TIMEOUT: "1m",
      HEADERS_TIMEOUT: "5s",
      KEEP_ALIVE_TIMEOUT: "75s",
      CONNECTION_TIMEOUT: "2m",
      MAX_CONNECTIONS: "100",
      MAX_CONNECTIONS_PER_IP: "0",
      LOG_LEVEL: "debug",
      LOG_FORMAT: "pretty",
      WEBHOOK_SECRET: " s3cret-Value_1 ",
      WIFI_LIGHTNING_ADDRESS: "wifi@pay.example",
      WEBHOOK_TIMEOUT: "3s",
      WEBHOOK_RETRY_BASE: "500ms",
      WEBHOOK_RETRY_CAP: "1m",
      WEBHOOK_MAX_ATTEMPTS: "5",
    });
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 9090,
      dbPath: "/tmp/x.db",
      corsOrigins: ["https://a.example", "https://b.example"],
      pollIntervalMs: 90_000,
      pollConcurrency: 10,
      httpTimeoutMs: 1500,
      maxUpstreamBytes: 512 * 2 ** 20,
      sourceBaseUrl: "http://127.0.0.1:9999",
      tickerLimit: 50,
      leaderboardLimit: 25,
      rateWindowMs: 600_000,
      maxStreamClients: 20,
      streamHeartbeatMs: 5000,
      requestTimeoutMs: 60_000,
      headersTimeoutMs: 5000,
      keepAliveTimeoutMs: 75_000,
      connectionTimeoutMs: 120_000,
      maxConnections: 100,
      maxConnectionsPerIp: 0,
      logLevel: "debug",
      logFormat: "pretty",
      webhookSecret: "s3cret-Value_1",
      wifiLightningAddress: "wifi@pay.example",
      webhookTimeoutMs: 3000,
      webhookRetryBaseMs: 500,
      webhookRetryCapMs: 60_000,
      webhookMaxAttempts: 5,
    });
  });

  it("requires ADMIN_TOKEN", () => {
    expect(() => loadConfig({})).toThrow(new ConfigError("ADMIN_TOKEN must be set"));
    expect(() => loadConfig({ ADMIN_TOKEN: "  " })).toThrow("ADMIN_TOKEN must be set");
  });

  it("warns about a short token", () => {
    expect(loadConfig({ ADMIN_TOKEN: "short" }).warnings).toEqual([
      "ADMIN_TOKEN is shorter than 32 characters; use a long random token in production",
    ]);
  });

  it.each([
    ["POLL_INTERVAL", "5"],
    ["POLL_INTERVAL", "0s"],
    ["POLL_INTERVAL", "-5s"],
    ["HTTP_TIMEOUT", "soon"],
    ["RATE_WINDOW", "1d"],
    ["STREAM_HEARTBEAT", "0s"],
    ["POLL_CONCURRENCY", "0"],
    ["POLL_CONCURRENCY", "2.5"],
    ["TICKER_LIMIT", "1001"],
    ["LEADERBOARD_LIMIT", "ten"],
    ["ADDR", "8080"],
    ["ADDR", ":99999"],
    ["SOURCE_BASE_URL", "not a url"],
    ["WEBHOOK_TIMEOUT", "0s"],
    ["WEBHOOK_TIMEOUT", "25h"],
    ["WEBHOOK_RETRY_BASE", "soon"],
    ["WEBHOOK_MAX_ATTEMPTS", "0"],
    ["WEBHOOK_MAX_ATTEMPTS", "101"],
    ["SOURCE_BASE_URL", "ftp://x.example"],
    ["CORS_ORIGINS", "example.com"],
    ["LOG_LEVEL", "loud"],
    ["LOG_FORMAT", "xml"],
    ["REQUEST_TIMEOUT", "0s"],
    ["REQUEST_TIMEOUT", "25h"],
    ["HEADERS_TIMEOUT", "never"],
    ["KEEP_ALIVE_TIMEOUT", "-1s"],
    ["CONNECTION_TIMEOUT", "100000h"],
    ["MAX_CONNECTIONS", "0"],
    ["MAX_CONNECTIONS_PER_IP", "-1"],
    ["MAX_CONNECTIONS_PER_IP", "many"],
    ["MAX_UPSTREAM_BYTES", "lots"],
    ["MAX_UPSTREAM_BYTES", "1.5GiB"],
    ["MAX_UPSTREAM_BYTES", "1TB"],
    ["MAX_UPSTREAM_BYTES", "100"],
    ["MAX_UPSTREAM_BYTES", "-1MiB"],
  ])("rejects %s=%s with one line naming the variable and value", (name, value) => {
    let message = "";
    try {
      loadConfig({ ADMIN_TOKEN: TOKEN, [name]: value });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toContain(`${name}=`);
    expect(message).toContain(JSON.stringify(value));
    expect(message).not.toContain("\n");
  });
});

describe("connection limits", () => {
  it("MAX_CONNECTIONS defaults to twice MAX_STREAM_CLIENTS", () => {
    expect(loadConfig({ ADMIN_TOKEN: TOKEN, MAX_STREAM_CLIENTS: "300" }).config.maxConnections).toBe(600);
  });

  it("refuses MAX_CONNECTIONS below MAX_STREAM_CLIENTS", () => {
    expect(() =>
      loadConfig({ ADMIN_TOKEN: TOKEN, MAX_STREAM_CLIENTS: "300", MAX_CONNECTIONS: "299" }),
    ).toThrow(new ConfigError('invalid MAX_CONNECTIONS="299": must be at least MAX_STREAM_CLIENTS'));
    expect(
      loadConfig({ ADMIN_TOKEN: TOKEN, MAX_STREAM_CLIENTS: "300", MAX_CONNECTIONS: "300" }).config
        .maxConnections,
    ).toBe(300);
  });

  it("refuses HEADERS_TIMEOUT past REQUEST_TIMEOUT (the request's bound includes its headers)", () => {
    expect(() => loadConfig({ ADMIN_TOKEN: TOKEN, REQUEST_TIMEOUT: "5s", HEADERS_TIMEOUT: "6s" })).toThrow(
      new ConfigError('invalid HEADERS_TIMEOUT="6s": must not exceed REQUEST_TIMEOUT'),
    );
    expect(() => loadConfig({ ADMIN_TOKEN: TOKEN, REQUEST_TIMEOUT: "5s" })).toThrow(/HEADERS_TIMEOUT="10s"/);
    const { config } = loadConfig({ ADMIN_TOKEN: TOKEN, REQUEST_TIMEOUT: "5s", HEADERS_TIMEOUT: "5s" });
    expect(config.headersTimeoutMs).toBe(5000);
  });

  it("rounds a fractional millisecond up (Node's timers take whole ones)", () => {
    expect(loadConfig({ ADMIN_TOKEN: TOKEN, KEEP_ALIVE_TIMEOUT: "1500us" }).config.keepAliveTimeoutMs).toBe(
      2,
    );
  });
});

describe("MAX_UPSTREAM_BYTES", () => {
  it.each([
    ["1073741824", 2 ** 30],
    ["1GiB", 2 ** 30],
    ["64 kib", 64 * 1024],
    ["500MB", 500e6],
    ["2048B", 2048],
    ["1KiB", 1024],
  ])("reads %s", (raw, bytes) => {
    expect(loadConfig({ ADMIN_TOKEN: TOKEN, MAX_UPSTREAM_BYTES: raw }).config.maxUpstreamBytes).toBe(bytes);
  });

  it("says what is allowed", () => {
    expect(() => loadConfig({ ADMIN_TOKEN: TOKEN, MAX_UPSTREAM_BYTES: "100" })).toThrow(
      'invalid MAX_UPSTREAM_BYTES="100": must be between 1 KiB and 1024 GiB',
    );
  });
});

describe("WEBHOOK_SECRET and WIFI_LIGHTNING_ADDRESS", () => {
  it("leave the webhook open and the address empty when unset or blank", () => {
    const { config } = loadConfig({ ADMIN_TOKEN: TOKEN, WEBHOOK_SECRET: "  ", WIFI_LIGHTNING_ADDRESS: "" });
    expect(config.webhookSecret).toBeUndefined();
    expect(config.wifiLightningAddress).toBe("");
  });

  it("refuse a secret that cannot be sent in a header, or is too long, without showing it", () => {
    for (const secret of ["tab\there", "ünïcode", "x".repeat(513)]) {
      let message = "";
      try {
        loadConfig({ ADMIN_TOKEN: TOKEN, WEBHOOK_SECRET: secret });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        message = (e as Error).message;
      }
      expect(message).toMatch(/^invalid WEBHOOK_SECRET: .*\(value not shown\)$/);
      expect(message).not.toContain(secret.slice(0, 5));
    }
    expect(
      loadConfig({ ADMIN_TOKEN: TOKEN, WEBHOOK_SECRET: "x".repeat(512) }).config.webhookSecret,
    ).toHaveLength(512);
  });

  it("refuses a retry cap below the retry base", () => {
    expect(() =>
      loadConfig({ ADMIN_TOKEN: TOKEN, WEBHOOK_RETRY_BASE: "10s", WEBHOOK_RETRY_CAP: "5s" }),
    ).toThrow('invalid WEBHOOK_RETRY_CAP="5s": must be at least WEBHOOK_RETRY_BASE');
  });

  it("refuse an address with control characters or past 320 characters", () => {
    expect(() => loadConfig({ ADMIN_TOKEN: TOKEN, WIFI_LIGHTNING_ADDRESS: "a\u0007@b.example" })).toThrow(
      /^invalid WIFI_LIGHTNING_ADDRESS=.*control characters$/,
    );
    expect(() => loadConfig({ ADMIN_TOKEN: TOKEN, WIFI_LIGHTNING_ADDRESS: `${"a".repeat(320)}@b` })).toThrow(
      /WIFI_LIGHTNING_ADDRESS=.*longer than 320 characters/,
    );
  });
});

describe("METRICS_TOKEN", () => {
  it("leaves /metrics open when unset or blank", () => {
    expect(loadConfig({ ADMIN_TOKEN: TOKEN }).config.metricsToken).toBeUndefined();
    expect(loadConfig({ ADMIN_TOKEN: TOKEN, METRICS_TOKEN: "  " }).config.metricsToken).toBeUndefined();
  });

  it("is read when set, and refused without being shown when it cannot be sent in a header", () => {
    const set = loadConfig({ ADMIN_TOKEN: TOKEN, METRICS_TOKEN: " scrape-Token_1 " });
    expect(set.config.metricsToken).toBe("scrape-Token_1");
    for (const token of ["tab\there", "ünïcode", "y".repeat(513)]) {
      let message = "";
      try {
        loadConfig({ ADMIN_TOKEN: TOKEN, METRICS_TOKEN: token });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        message = (e as Error).message;
      }
      expect(message).toMatch(/^invalid METRICS_TOKEN: .*\(value not shown\)$/);
      expect(message).not.toContain(token.slice(0, 5));
    }
  });
});

describe("parseAddr", () => {
  it.each([
    [":8080", "0.0.0.0", 8080],
    ["127.0.0.1:8080", "127.0.0.1", 8080],
    ["[::1]:8080", "::1", 8080],
    ["localhost:3000", "localhost", 3000],
  ])("%s", (addr, host, port) => {
    expect(parseAddr(addr)).toEqual({ host, port });
  });
});
