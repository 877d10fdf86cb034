import { describe, expect, it } from "vitest";
import type { AdminMerchant } from "../api/types";
import {
  emptyMerchantForm,
  merchantChanges,
  merchantCreateBody,
  merchantToForm,
  validateMerchant,
} from "./logic";
import { connectionTestBody, webhookHelp } from "./source-logic";

const btcpay: AdminMerchant = {
  id: "coffee",
  public_key: "7Hn2cQx9",
  alias: "Coffee",
  enabled: true,
  source: "btcpay",
  btcpay: {
    base_url: "https://btcpay.example.com",
    store_id: "7Hn2cQx9",
    api_key: "••••1a2b",
    webhook_secret: "••••p7Rk",
  },
  consecutive_failures: 0,
  created_at: "2025-11-01T10:00:00Z",
  updated_at: "2025-11-01T10:00:00Z",
};

describe("a BTCPay or LNbits merchant's form", () => {
  it("asks for the source's fields, not a public key; a new one needs its API key", () => {
    const form = { ...emptyMerchantForm(), id: "x", alias: "X", source: "btcpay" as const };
    expect(validateMerchant(form)).toEqual({
      base_url: "Base URL is required.",
      store_id: "Store ID is required.",
      api_key: "API key is required.",
    });
    expect(validateMerchant({ ...form, base_url: "ftp://x", store_id: "a/b", api_key: "k" })).toMatchObject({
      base_url: expect.stringMatching(/http\(s\)/),
      store_id: expect.stringMatching(/Letters/),
    });
    expect(
      validateMerchant({ ...form, source: "lnbits", base_url: "https://l.example", api_key: "k" }),
    ).toEqual({});
  });

  it("creates with the settings, leaving empty optional fields out", () => {
    const form = {
      ...emptyMerchantForm(),
      id: " coffee ",
      alias: "Coffee",
      source: "btcpay" as const,
      base_url: " https://btcpay.example.com ",
      store_id: "7Hn2cQx9",
      api_key: "KEY",
      webhook_secret: "",
      pos_app_id: "",
    };
    expect(merchantCreateBody(form)).toEqual({
      id: "coffee",
      alias: "Coffee",
      enabled: true,
      source: "btcpay",
      btcpay: { base_url: "https://btcpay.example.com", store_id: "7Hn2cQx9", api_key: "KEY" },
    });
  });

  it("on edit: stored secrets are shown masked and kept unless a new one is typed", () => {
    const form = merchantToForm(btcpay);
    expect(form).toMatchObject({ api_key: "", api_key_shown: "••••1a2b", webhook_secret_shown: "••••p7Rk" });
    expect(validateMerchant(form)).toEqual({});
    expect(merchantChanges(btcpay, form)).toEqual({});
    expect(merchantChanges(btcpay, { ...form, alias: "Espresso" })).toEqual({ alias: "Espresso" });
    expect(merchantChanges(btcpay, { ...form, api_key: "NEW" })).toEqual({
      btcpay: { base_url: "https://btcpay.example.com", store_id: "7Hn2cQx9", api_key: "NEW" },
    });
    expect(connectionTestBody(form, true)).toEqual({
      source: "btcpay",
      btcpay: { base_url: "https://btcpay.example.com", store_id: "7Hn2cQx9" },
      id: "coffee",
    });
  });

  it("says which webhook URL to paste", () => {
    const form = merchantToForm(btcpay);
    expect(webhookHelp("https://dash.example", form)?.url).toBe(
      "https://dash.example/v1/webhooks/btcpay/coffee",
    );
    const ln = { ...form, source: "lnbits" as const };
    expect(webhookHelp("https://dash.example", { ...ln, webhook_secret: "s&t" })?.url).toBe(
      "https://dash.example/v1/webhooks/lnbits/coffee?secret=s%26t",
    );
    expect(webhookHelp("https://dash.example", ln)?.note).toMatch(/X-Webhook-Secret header/);
    expect(webhookHelp("https://dash.example", { ...form, source: "pwf" })).toBeUndefined();
  });
});
