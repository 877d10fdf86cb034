// The merchants table's cells and refetch action for a polled merchant and for a webhook's merchant.
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { AdminApi } from "../api/client";
import type { AdminMerchant } from "../api/types";
import { one } from "../testing/markup";
import { merchantResource, pushedBy } from "./MerchantsPanel";
import { applyMerchantStatus, liveMerchants } from "./merchant-live";
import { deletedSalesText, salesOf } from "./merchant-messages";

const polled: AdminMerchant = {
  id: "173",
  public_key: "abc",
  alias: "Bitcoin Coffee",
  enabled: true,
  source: "pwf",
  last_polled_at: "2025-11-10T14:25:00Z",
  consecutive_failures: 0,
  created_at: "2025-11-01T10:00:00Z",
  updated_at: "2025-11-01T10:00:00Z",
};
const wifi: AdminMerchant = {
  ...polled,
  id: "wifi",
  public_key: "wifi_payments",
  alias: "WiFi Upgrades",
  source: "wifi",
  last_polled_at: undefined,
};
const row = { now: Date.parse("2025-11-10T14:30:00Z"), busy: false, setEnabled: () => {} };
const cells = (m: AdminMerchant) =>
  renderToStaticMarkup(
    <table>
      <tbody>
        <tr>{merchantResource.columns.map((c) => c.cell(m, row))}</tr>
      </tbody>
    </table>,
  );
const refetch = merchantResource.actions.find((a) => a.testId === "merchant-refetch");

describe("a webhook's merchant in the admin table", () => {
  it("shows where its sales come from instead of polling health", () => {
    expect(pushedBy(wifi)).toBe("WiFi webhook");
    // BTCPay and LNbits merchants are polled (their webhooks only make a poll come sooner).
    expect(pushedBy({ source: "btcpay" })).toBeUndefined();
    expect(pushedBy({ source: "lnbits" })).toBeUndefined();
    expect(pushedBy({ source: "square" })).toBe("square webhook");
    expect(pushedBy(polled)).toBeUndefined();
    const html = cells(wifi);
    expect(one(html, "merchant-health")).toMatchObject({ "data-health": "webhook" });
    expect(html).toContain("WiFi webhook");
    expect(html).toContain("not polled");
    expect(html).not.toContain("Not polled yet");
    const polledHtml = cells(polled);
    expect(one(polledHtml, "merchant-health")["data-health"]).toBe("ok");
    expect(polledHtml).toContain("5m ago");
  });

  it("offers no refetch for it", () => {
    expect(refetch?.disabled(wifi, false)).toBe(true);
    expect(refetch?.title(wifi)).toBe("Sales come from the WiFi webhook; there is nothing to poll");
    expect(refetch?.disabled(polled, false)).toBe(false);
  });
});

describe("a BTCPay merchant in the admin table", () => {
  const btcpay: AdminMerchant = {
    ...polled,
    id: "coffee",
    public_key: "7Hn2cQx9",
    source: "btcpay",
    btcpay: { base_url: "https://btcpay.example.com", store_id: "7Hn2cQx9", api_key: "••••1a2b" },
    consecutive_failures: 2,
    last_error: "BTCPay answered 401: Authentication is required",
  };

  it("shows its source, store and masked key, and its polling health with the last error", () => {
    const html = cells(btcpay);
    expect(one(html, "merchant-source")["data-source"]).toBe("btcpay");
    expect(html).toContain("BTCPay Server");
    expect(html).toContain("7Hn2cQx9 @ btcpay.example.com · key ••••1a2b");
    expect(one(html, "merchant-health")["data-health"]).toBe("failing");
    expect(html).toContain("BTCPay answered 401: Authentication is required");
    expect(refetch?.disabled(btcpay, false)).toBe(false);
  });
});

describe("failing merchants in the list", () => {
  const m = (id: string, alias: string, consecutive_failures = 0, enabled = true): AdminMerchant => ({
    ...polled,
    id,
    alias,
    consecutive_failures,
    enabled,
  });

  it("sort first, the most failures first, then by alias (a paused merchant's old failures do not count)", () => {
    const list = [
      m("1", "Alpha"),
      m("2", "Zulu", 2),
      m("3", "Bravo", 5),
      m("4", "Charlie", 9, false),
      m("5", "Yankee", 2),
    ];
    expect([...list].sort(merchantResource.order).map((x) => x.alias)).toEqual([
      "Bravo",
      "Yankee",
      "Zulu",
      "Alpha",
      "Charlie",
    ]);
  });

  it("change with the stream's merchant event, before the reload brings the count and error", () => {
    const fresh = { ...m("new", "New Stand"), last_polled_at: undefined };
    const list = [m("1", "Alpha"), fresh];
    const failing = applyMerchantStatus(list, { id: "new", alias: "New Stand", healthy: false });
    const row = failing?.find((x) => x.id === "new") as AdminMerchant;
    expect(row.consecutive_failures).toBe(1);
    expect(cells(row)).toContain("Failing ×1");
    expect(cells(row)).not.toContain("Not polled yet");
    const healed = applyMerchantStatus([{ ...row, consecutive_failures: 4, last_error: "timeout" }], {
      id: "new",
      alias: "New Stand",
      healthy: true,
      last_polled_at: "2025-11-10T14:29:00Z",
    });
    expect(healed).toEqual([{ ...row, consecutive_failures: 0, last_polled_at: "2025-11-10T14:29:00Z" }]);
    // A merchant the list does not have yet: the list stays as it is (the reload adds it).
    expect(applyMerchantStatus(list, { id: "other", alias: "O", healthy: false })).toBe(list);
  });

  it("listens to the stream while the page is open, and reloads once per burst of events", async () => {
    const sources: FakeSource[] = [];
    class FakeSource {
      readyState = 1;
      closed = false;
      readonly handlers = new Map<string, ((e: MessageEvent) => void)[]>();
      constructor(readonly url: string) {
        sources.push(this);
      }
      addEventListener(type: string, h: (e: MessageEvent) => void) {
        this.handlers.set(type, [...(this.handlers.get(type) ?? []), h]);
      }
      emit(type: string, data: unknown) {
        for (const h of this.handlers.get(type) ?? []) h({ data: JSON.stringify(data) } as MessageEvent);
      }
      close() {
        this.closed = true;
      }
    }
    let list: AdminMerchant[] | null = [m("a", "A"), m("b", "B")];
    let reloads = 0;
    const stop = liveMerchants(
      {
        patch: (f) => {
          list = f(list);
        },
        reload: async () => {
          reloads++;
        },
      },
      FakeSource,
      0,
    );
    const source = sources[0] as FakeSource;
    expect(source.url).toBe("/v1/stream");
    source.emit("merchant", { id: "a", alias: "A", healthy: false });
    source.emit("merchant", { id: "b", alias: "B", healthy: false });
    source.emit("merchant", "not a status");
    expect(list?.map((x) => x.consecutive_failures)).toEqual([1, 1]);
    await new Promise((r) => setTimeout(r, 5));
    expect(reloads).toBe(1);
    source.emit("reset", {});
    await new Promise((r) => setTimeout(r, 5));
    expect(reloads).toBe(2);
    stop();
    expect(source.closed).toBe(true);
  });
});

describe("adding a merchant whose id is taken", () => {
  const replace = merchantResource.form.replace;

  it("finds the merchant it would replace, and says what replacing does", async () => {
    const api = { merchants: async () => [polled, wifi] } as unknown as AdminApi;
    const form = { ...merchantResource.form.empty(), id: " 173 ", alias: "New", public_key: "k" };
    const existing = await replace?.existing(api, form);
    expect(existing?.alias).toBe("Bitcoin Coffee");
    expect(await replace?.existing(api, { ...form, id: "999" })).toBeUndefined();
    const warning = renderToStaticMarkup(<div>{replace?.warning(polled)}</div>);
    expect(warning).toContain("already exists");
    expect(warning).toContain("its sales stay");
    expect(replace?.confirmLabel(polled)).toBe("Replace Bitcoin Coffee");
    expect(replace?.notice(polled)).toContain("replaced");
  });
});

describe("the delete confirmation", () => {
  it("says the merchant's sales and their share of the totals go too", () => {
    const html = renderToStaticMarkup(<div>{merchantResource.remove.message(polled)}</div>);
    expect(html).toContain("Bitcoin Coffee");
    expect(html).toContain("All its sales are deleted with it");
    expect(html).toContain("totals, leaderboards and charts drop");
  });

  it("counts them from the all-time leaderboard once it is read", () => {
    const standings = [
      { merchant_id: "173", alias: "Bitcoin Coffee", transactions: 1234, volume_sats: 5_600_000 },
    ];
    expect(deletedSalesText(salesOf("173", standings))).toContain(
      "Its 1,234 sales (5,600,000 sats) are deleted",
    );
    expect(deletedSalesText(salesOf("9", standings))).toContain("It has no sales yet");
    // Not in a full list: unknown, so the words without a number.
    expect(salesOf("9", standings, 1)).toBeUndefined();
  });
});
