import { describe, expect, it } from "vitest";
import { describeFetchError, describeResponse, parseAddMerchantArgs } from "./add-merchant-args.js";

const TOKEN = "secret-token-value";

describe("parseAddMerchantArgs", () => {
  it("accepts id, key, alias and defaults the base URL", () => {
    const r = parseAddMerchantArgs(["173", "abc", "Bitcoin Coffee"], TOKEN);
    expect(r).toEqual({
      ok: true,
      args: {
        id: "173",
        publicKey: "abc",
        alias: "Bitcoin Coffee",
        baseUrl: "http://localhost:8080",
        token: TOKEN,
      },
    });
  });

  it("takes a base URL and strips trailing slashes", () => {
    const r = parseAddMerchantArgs(["a_b-1", "k", "A", "http://127.0.0.1:9000/"], TOKEN);
    expect(r.ok && r.args.baseUrl).toBe("http://127.0.0.1:9000");
  });

  it.each([
    [[], "missing arguments"],
    [["173", "k"], "missing arguments"],
    [["173", "k", "A", "http://x", "extra"], "too many arguments"],
    [["bad id", "k", "A"], "invalid id"],
    [["x".repeat(65), "k", "A"], "invalid id"],
    [["173", " ", "A"], "public_key"],
    [["173", "k", ""], "alias"],
    [["173", "k", "A", "ftp://x"], "invalid base_url"],
    [["173", "k", "A", "not a url"], "invalid base_url"],
  ])("rejects %j", (argv, message) => {
    const r = parseAddMerchantArgs(argv, TOKEN);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toContain(message);
      expect(r.error).not.toContain(TOKEN);
    }
  });

  it("requires ADMIN_TOKEN", () => {
    for (const t of [undefined, "", "  "]) {
      const r = parseAddMerchantArgs(["173", "k", "A"], t);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain("ADMIN_TOKEN must be set");
    }
  });
});

describe("describeResponse", () => {
  const args = { id: "173", alias: "Bitcoin Coffee", baseUrl: "http://localhost:8080" };
  it("says created or updated", () => {
    expect(describeResponse(201, {}, args)).toEqual({
      ok: true,
      message: 'merchant 173 "Bitcoin Coffee" created',
    });
    expect(describeResponse(200, {}, args)).toEqual({
      ok: true,
      message: 'merchant 173 "Bitcoin Coffee" updated',
    });
  });
  it("explains failures", () => {
    expect(describeResponse(401, { error: "unauthorized" }, args)).toMatchObject({
      ok: false,
      message: expect.stringContaining("admin token rejected"),
    });
    expect(describeResponse(400, { error: "body/alias too long" }, args)).toEqual({
      ok: false,
      message: "rejected: body/alias too long",
    });
    expect(describeResponse(500, undefined, args).ok).toBe(false);
  });
});

describe("describeFetchError", () => {
  it("names a refused connection", () => {
    const err = new TypeError("fetch failed", {
      cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
    });
    expect(describeFetchError(err, "http://localhost:8080")).toBe(
      "cannot reach http://localhost:8080: is the server running?",
    );
  });
});
