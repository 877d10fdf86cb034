/**
 * The ORIGINAL frontend's API client, written from /work/shared/spec/original-later-api.md §1 (not from
 * our code), the shapes the spec gives, LNbits' payment webhook as its LNURLp extension posts it (§5),
 * and the real service (ingest thread, a real 127.0.0.1 port) for the original-frontend-*.test.ts files.
 */
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import type { Config } from "../../src/config/config.js";
import type { createService as CreateService, Service } from "../../src/service.js";
import { TEST_TOKEN, testConfig } from "./app.js";

// The ingest thread runs dist/ingest/thread.js: the service comes from the build (npx tsc -p tsconfig.build.json).
const { createService } = (await import(new URL("../../dist/service.js", import.meta.url).href)) as {
  createService: typeof CreateService;
};

export interface Answer<T> {
  status: number;
  data: T;
}

export type OriginalClient = ReturnType<typeof originalClient>;

/**
 * Public reads send `Accept` only; admin calls always send Accept, `Content-Type: application/json` and
 * the Bearer token, even on GET, the body-less refetch and DELETE; every 2xx goes through
 * response.json() (a 204 or an empty body fails, as it does in the UI); failures throw the UI's messages.
 */
export function originalClient(base: string, token: string) {
  const json = async <T>(res: Response): Promise<Answer<T>> => ({
    status: res.status,
    data: (await res.json()) as T,
  });
  return {
    /** Login: only `response.ok` matters (the body still goes through json() on a 2xx). */
    async login(candidate: string): Promise<boolean> {
      const res = await fetch(`${base}/v1/admin/auth/login`, {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
        body: JSON.stringify({ token: candidate }),
      });
      if (res.ok) await res.json();
      return res.ok;
    },
    /** Public reads: GET with `Accept: application/json` only; non-2xx throws unread. */
    async get<T>(path: string): Promise<Answer<T>> {
      const res = await fetch(base + path, { headers: { Accept: "application/json" } });
      if (!res.ok) throw new Error(`Request failed: ${res.status}`);
      return json<T>(res);
    },
    /** Admin calls: all three headers on every method; non-2xx throws with the body text. */
    async admin<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
      const res = await fetch(base + path, {
        method,
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          Authorization: `Bearer ${token}`,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`Request failed (${res.status}): ${await res.text()}`);
      return json<T>(res);
    },
  };
}

// ---- Shapes as the spec (and the seed README it extends) gives them ----

export interface Merchant {
  id: string;
  public_key: string;
  alias: string;
  enabled: boolean;
}
export interface Milestone {
  id: number;
  name: string;
  type: "transactions" | "volume";
  threshold: number;
  enabled: boolean;
  triggered: boolean;
  triggered_at?: string | null;
}
export interface TickerRow {
  sale_id: number;
  merchant_id: string;
  merchant_alias: string;
  amount_sats: number;
  sale_date: string;
  external_id?: string;
}
export interface MerchantRank {
  merchant_id: string;
  alias: string;
  transactions: number;
  volume_sats: number;
}
export interface ProductRank {
  merchant_id: string;
  product_id: number;
  name: string;
  transactions: number;
  volume_sats: number;
}
export interface Summary {
  total_transactions: number;
  total_volume_sats: number;
  average_transaction_size: number;
  transactions_per_minute: number;
  volume_per_minute: number;
  total_merchants: number;
  active_merchants: number;
  unique_products: number;
}
export interface Trigger {
  milestone_id: number;
  name: string;
  triggered_at: string;
  total_transactions: number;
  total_volume_sats: number;
}
export interface WifiConfig {
  lightning_address: string;
  description: string;
  price_sats: string;
  duration_hours: string;
}
export interface Scene {
  id: string;
  name: string;
  duration: number;
  enabled: boolean;
  order: number;
  created_at: string;
  updated_at: string;
}

// ---- LNbits, posting a paid invoice to the WiFi webhook (§5) ----

/** The body LNbits' LNURLp extension posts when its pay link is paid, with the fields §5 says are ignored. */
export function lnbitsPayment(paymentHash: string, amountMsat: number, extra: Record<string, unknown> = {}) {
  return {
    payment_hash: paymentHash,
    payment_request: "lnbc21u1pjwifi0pp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypq",
    amount: amountMsat,
    comment: null,
    lnurlp: "Xy12ab",
    webhook_data: "",
    body: {},
    memo: "WiFi upgrade 8h",
    ...extra,
  };
}

/**
 * A payment hash as LNbits sends it: 64 hex digits, `n` (below 2^20) in the first 13 after an 8-digit
 * prefix, so that different `n` never share a sale id.
 */
export const paymentHash = (n: number, prefix = "3f9a1c0b") =>
  `${prefix}${n.toString(16).padStart(5, "0")}`.padEnd(64, "e7");

export interface WebhookAnswer {
  status: number;
  body: unknown;
}

/** POSTs to the webhook as LNbits does (Content-Type: application/json, its configured headers). */
export async function postWebhook(
  base: string,
  body: unknown,
  opts: { headers?: Record<string, string>; query?: string } = {},
): Promise<WebhookAnswer> {
  const res = await fetch(`${base}/v1/webhooks/wifi${opts.query ?? ""}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...opts.headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

// ---- The real service on a real port ----

export interface Served {
  service: Service;
  base: string;
  client: OriginalClient;
  stop(): Promise<void>;
}

/** The real service from the build, ingest in its thread, on a fresh in-memory database. */
export async function serve(overrides: Partial<Config> = {}): Promise<Served> {
  const service = await createService(
    testConfig({ pollIntervalMs: 3_600_000, corsOrigins: ["*"], ...overrides }),
    { log: pino({ level: "silent" }) },
  );
  await service.start();
  const base = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
  return { service, base, client: originalClient(base, TEST_TOKEN), stop: () => service.stop() };
}
