import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import type { AdminMerchant, AdminMilestone } from "../api/types";
import {
  clearToken,
  describeError,
  emptyMerchantForm,
  hasErrors,
  loadToken,
  loginErrorMessage,
  merchantChanges,
  merchantCreateBody,
  merchantHealth,
  merchantToForm,
  milestoneChanges,
  milestoneCreateBody,
  milestoneToForm,
  parseThreshold,
  saveToken,
  TOKEN_KEY,
  validateMerchant,
  validateMilestone,
} from "./logic";

const merchant: AdminMerchant = {
  id: "173",
  public_key: "abc",
  alias: "Bitcoin Coffee",
  enabled: true,
  source: "pwf",
  last_polled_at: "2025-11-10T14:25:00Z",
  consecutive_failures: 0,
  created_at: "2025-11-01T10:00:00Z",
  updated_at: "2025-11-10T14:25:00Z",
};

const milestone: AdminMilestone = {
  id: 5,
  name: "1M sats",
  type: "volume",
  threshold: 1_000_000,
  enabled: true,
  triggered: false,
  created_at: "2025-11-01T10:00:00Z",
  updated_at: "2025-11-01T10:00:00Z",
};

describe("validateMerchant", () => {
  it("requires id, public key and alias", () => {
    const errors = validateMerchant(emptyMerchantForm());
    expect(Object.keys(errors).sort()).toEqual(["alias", "id", "public_key"]);
    expect(hasErrors(errors)).toBe(true);
  });

  it.each(["173", "shop_1", "A-b-9", "x".repeat(64)])("accepts id %s", (id) => {
    expect(validateMerchant({ id, alias: "a", public_key: "k", enabled: true })).toEqual({});
  });

  it.each(["with space", "ünïcode", "a/b", "x".repeat(65), "semi;colon"])("rejects id %s", (id) => {
    expect(validateMerchant({ id, alias: "a", public_key: "k", enabled: true }).id).toMatch(/1–64/);
  });

  it("treats whitespace-only fields as empty and trims the body", () => {
    const form = { id: " 173 ", alias: "  ", public_key: " key ", enabled: false };
    expect(validateMerchant(form).alias).toBe("Alias is required.");
    expect(merchantCreateBody({ ...form, alias: " Cafe " })).toEqual({
      id: "173",
      alias: "Cafe",
      public_key: "key",
      enabled: false,
    });
  });
});

describe("merchantChanges", () => {
  it("sends only changed fields", () => {
    const form = merchantToForm(merchant);
    expect(merchantChanges(merchant, form)).toEqual({});
    expect(merchantChanges(merchant, { ...form, alias: "New Name", enabled: false })).toEqual({
      alias: "New Name",
      enabled: false,
    });
    expect(merchantChanges(merchant, { ...form, public_key: " def " })).toEqual({ public_key: "def" });
  });
});

describe("merchantHealth", () => {
  it("labels paused, failing, never polled and ok", () => {
    expect(merchantHealth({ ...merchant, enabled: false, consecutive_failures: 3 })).toEqual({
      kind: "paused",
      label: "Paused",
    });
    expect(merchantHealth({ ...merchant, consecutive_failures: 3 })).toEqual({
      kind: "failing",
      label: "Failing ×3",
    });
    expect(merchantHealth({ ...merchant, last_polled_at: undefined }).kind).toBe("pending");
    expect(merchantHealth(merchant)).toEqual({ kind: "ok", label: "OK" });
  });
});

describe("milestones", () => {
  it("parses thresholds with separators, rejecting non-positive or fractional values", () => {
    expect(parseThreshold("1,000,000")).toBe(1_000_000);
    expect(parseThreshold(" 1 000_000 ")).toBe(1_000_000);
    expect(parseThreshold("0")).toBeNull();
    expect(parseThreshold("-5")).toBeNull();
    expect(parseThreshold("2.5")).toBeNull();
    expect(parseThreshold("1e6")).toBeNull();
    expect(parseThreshold("99999999999999999999")).toBeNull();
  });

  it("validates the form", () => {
    expect(validateMilestone({ name: "", type: "volume", threshold: "", enabled: true })).toEqual({
      name: "Name is required.",
      threshold: "Threshold is required.",
    });
    expect(validateMilestone({ name: "x", type: "volume", threshold: "abc", enabled: true }).threshold).toBe(
      "Enter a whole number above zero.",
    );
    expect(
      validateMilestone({ name: "x", type: "transactions", threshold: "10,000", enabled: true }),
    ).toEqual({});
  });

  it("builds create bodies and change sets", () => {
    expect(
      milestoneCreateBody({ name: " 10k ", type: "transactions", threshold: "10,000", enabled: false }),
    ).toEqual({ name: "10k", type: "transactions", threshold: 10_000, enabled: false });
    const form = milestoneToForm(milestone);
    expect(milestoneChanges(milestone, form)).toEqual({});
    expect(milestoneChanges(milestone, { ...form, threshold: "2,000,000", type: "transactions" })).toEqual({
      threshold: 2_000_000,
      type: "transactions",
    });
  });
});

describe("error messages", () => {
  it("explains login failures", () => {
    expect(loginErrorMessage(new ApiError(401, "invalid token"))).toBe("That token is not valid.");
    expect(loginErrorMessage(new ApiError(429, "rate limited"))).toBe(
      "Too many attempts — wait a minute, then try again.",
    );
    expect(loginErrorMessage(new ApiError(0, "Cannot reach the server"))).toBe(
      "Cannot reach the server. Check the network and try again.",
    );
  });
  it("passes a 400 message through and labels server failures", () => {
    expect(describeError(new ApiError(400, "public_key is required"))).toBe("public_key is required");
    expect(describeError(new ApiError(500, "database is locked"))).toBe(
      "The server failed (500): database is locked",
    );
    expect(describeError("weird")).toBe("Something went wrong.");
  });
});

describe("session token", () => {
  function memoryStore() {
    const data = new Map<string, string>();
    return {
      data,
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    };
  }
  it("saves, loads and clears under one key", () => {
    const store = memoryStore();
    expect(loadToken(store)).toBeNull();
    saveToken("s3cret", store);
    expect(store.data.get(TOKEN_KEY)).toBe("s3cret");
    expect(loadToken(store)).toBe("s3cret");
    clearToken(store);
    expect(loadToken(store)).toBeNull();
  });
  it("survives a storage that throws", () => {
    const broken = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("denied");
      },
      removeItem: () => {
        throw new Error("denied");
      },
    };
    expect(() => saveToken("x", broken)).not.toThrow();
    expect(loadToken(broken)).toBeNull();
    expect(() => clearToken(broken)).not.toThrow();
  });
});
