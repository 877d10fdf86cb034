import { describe, expect, it } from "vitest";
import { ApiError, buildQuery, createAdminApi, createPublicApi, type FetchLike } from "./client";

interface Call {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(respond: (url: string) => Response | Promise<Response>): {
  fetch: FetchLike;
  calls: Call[];
} {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return respond(url);
    },
  };
}

const headersOf = (call: Call | undefined) => (call?.init?.headers ?? {}) as Record<string, string>;

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

describe("buildQuery", () => {
  it("drops empty values and encodes the rest", () => {
    expect(buildQuery({ a: 1, b: undefined, c: null, d: "", e: "x y" })).toBe("?a=1&e=x+y");
    expect(buildQuery({})).toBe("");
    expect(buildQuery(undefined)).toBe("");
  });
});

describe("public api", () => {
  it("builds leaderboard and timeseries URLs", async () => {
    const { fetch, calls } = fakeFetch(() => json([]));
    const api = createPublicApi({ fetch, baseUrl: "http://x" });
    await api.merchantLeaderboard({ metric: "volume", window: "5m", limit: 10 });
    await api.productLeaderboard({ metric: "transactions", window: "all", limit: 5 });
    await api.productLeaderboard({ metric: "transactions", window: "1h", limit: 5 });
    await api.ticker(20);
    expect(calls.map((c) => c.url)).toEqual([
      "http://x/v1/leaderboard/merchants?metric=volume&window=5m&limit=10",
      "http://x/v1/leaderboard/products?metric=transactions&limit=5",
      "http://x/v1/leaderboard/products?metric=transactions&window=1h&limit=5",
      "http://x/v1/ticker?limit=20",
    ]);
  });

  it("turns a null list into an empty array", async () => {
    const { fetch } = fakeFetch(() => json(null));
    expect(await createPublicApi({ fetch }).ticker()).toEqual([]);
  });

  it("reports the server's error message and status", async () => {
    const { fetch } = fakeFetch(() => json({ error: "invalid window" }, 400));
    const err = await createPublicApi({ fetch })
      .merchantLeaderboard({ window: "bad" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toBe("invalid window");
  });

  it("reports an unreachable server as status 0", async () => {
    const fetch: FetchLike = async () => {
      throw new TypeError("Failed to fetch");
    };
    const err = (await createPublicApi({ fetch })
      .summary()
      .catch((e: unknown) => e)) as ApiError;
    expect(err.isNetwork).toBe(true);
    expect(err.message).toBe("Cannot reach the server");
  });

  it("falls back to the HTTP status when the error body is not JSON", async () => {
    const { fetch } = fakeFetch(() => new Response("<html>bad gateway</html>", { status: 502 }));
    const err = (await createPublicApi({ fetch })
      .summary()
      .catch((e: unknown) => e)) as ApiError;
    expect(err.message).toBe("HTTP 502");
  });
});

describe("admin api", () => {
  it("sends the bearer token and JSON bodies", async () => {
    const { fetch, calls } = fakeFetch(() => json({ id: "173" }));
    const api = createAdminApi("s3cret", { fetch });
    await api.updateMerchant("a/b", { enabled: false });
    const call = calls[0];
    expect(call?.url).toBe("/v1/admin/merchants/a%2Fb");
    expect(call?.init?.method).toBe("PUT");
    expect(headersOf(call).Authorization).toBe("Bearer s3cret");
    expect(call?.init?.body).toBe('{"enabled":false}');
  });

  it("logs in with the token in the body, not a header", async () => {
    const { fetch, calls } = fakeFetch(() => json({ status: "ok" }));
    await createAdminApi("tok", { fetch }).login();
    expect(calls[0]?.init?.body).toBe('{"token":"tok"}');
    expect(headersOf(calls[0]).Authorization).toBeUndefined();
  });

  it("accepts 204 No Content", async () => {
    const { fetch } = fakeFetch(() => new Response(null, { status: 204 }));
    await expect(createAdminApi("t", { fetch }).deleteMilestone(3)).resolves.toBeUndefined();
  });

  it("flags 401 and 429", async () => {
    const { fetch } = fakeFetch((url) =>
      url.endsWith("login") ? json({ error: "too many" }, 429) : json({ error: "unauthorized" }, 401),
    );
    const api = createAdminApi("t", { fetch });
    const e1 = (await api.merchants().catch((e: unknown) => e)) as ApiError;
    const e2 = (await api.login().catch((e: unknown) => e)) as ApiError;
    expect(e1.isUnauthorized).toBe(true);
    expect(e2.isRateLimited).toBe(true);
  });
});
