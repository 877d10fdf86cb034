import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { BtcpaySettings } from "../../src/contract/index.js";
import { getJson, joinUrl } from "../../src/sources/http-json.js";
import type { SourceClient } from "../../src/sources/source-client.js";
import { UpstreamError } from "../../src/upstream/client.js";

/**
 * A BTCPay Server stand-in for "test connection": `GET /api/v1/stores/{id}` as Greenfield answers it
 * (200 `{id, name, …}` for the store's key; 401 `unauthenticated` without a known key; 403
 * `missing-permission` for another store's key), written here from the facts file, not from a client.
 */
export interface FakeBtcpay {
  url: string;
  /** The Authorization headers received, in order. */
  readonly authorizations: (string | undefined)[];
  close(): Promise<void>;
}

export async function startFakeBtcpay(
  stores: { id: string; name: string; key: string }[],
): Promise<FakeBtcpay> {
  const authorizations: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(body));
    };
    const match = /^\/api\/v1\/stores\/([^/?]+)$/.exec(req.url ?? "");
    if (req.method !== "GET" || !match) return send(404, { code: "not-found", message: "Not found" });
    const key = /^token (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const holder = stores.find((s) => s.key === key);
    if (!holder) {
      return send(401, {
        code: "unauthenticated",
        message: "Authentication is required for accessing this endpoint",
      });
    }
    if (holder.id !== decodeURIComponent(match[1] ?? "")) {
      return send(403, {
        code: "missing-permission",
        message:
          "Insufficient API Permissions. Please use an API key with permission: btcpay.store.canviewstoresettings",
        missingPermission: "btcpay.store.canviewstoresettings",
      });
    }
    send(200, { id: holder.id, name: holder.name, website: null, defaultCurrency: "EUR", archived: false });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The smallest real BTCPay SourceClient for these tests: testConnection reads the store once through
 * getJson; it does not poll. The service's real client (sources/btcpay/client.ts) replaces it.
 */
export function testBtcpayClient(timeoutMs = 2000): SourceClient<BtcpaySettings> {
  return {
    poll: async () => {
      throw new UpstreamError("this test client does not poll");
    },
    async testConnection(settings, signal) {
      const url = joinUrl(settings.base_url, `/api/v1/stores/${encodeURIComponent(settings.store_id)}`);
      const answer = await getJson(url, {
        sourceName: "BTCPay",
        headers: { authorization: `token ${settings.api_key}` },
        timeoutMs,
        signal,
      });
      const body = (answer.body ?? {}) as { name?: unknown; message?: unknown };
      if (answer.status === 200) return { ok: true, message: `Connected to ${String(body.name)}` };
      const why = typeof body.message === "string" ? body.message : "an answer that is not JSON";
      return { ok: false, message: `BTCPay answered ${answer.status}: ${why}` };
    },
  };
}
