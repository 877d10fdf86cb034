import { describe, expect, it } from "vitest";
import { concernsMerchant, refreshTwice } from "../live/merchant-scope";
import { DEFAULT_SETTINGS, parseSettings, settingsToSearch } from "./settings";

describe("settings: sound and the booth screen", () => {
  it("sound is off by default, on with sound=1, and the default comes from the settings given", () => {
    // Not in the URL: null, and the event's stored setting decides (useEventSettings).
    expect(parseSettings("").sound).toBeNull();
    expect(parseSettings("?sound=0").sound).toBe(false);
    expect(parseSettings("?sound=1").sound).toBe(true);
    expect(parseSettings("?sound").sound).toBe(true);
    // The event's own default (a server setting) lays under the URL, which still overrides it.
    const eventDefaults = { ...DEFAULT_SETTINGS, sound: true };
    expect(parseSettings("", eventDefaults).sound).toBe(true);
    expect(parseSettings("?sound=0", eventDefaults).sound).toBe(false);
  });

  it("writes a switched sound either way, so off holds against an event whose setting is on", () => {
    expect(settingsToSearch({ ...DEFAULT_SETTINGS, sound: true })).toBe("?sound=1");
    expect(settingsToSearch({ ...DEFAULT_SETTINGS, sound: false })).toBe("?sound=0");
    expect(settingsToSearch({ ...DEFAULT_SETTINGS, sound: null })).toBe("");
    const eventDefaults = { ...DEFAULT_SETTINGS, sound: true };
    expect(settingsToSearch({ ...DEFAULT_SETTINGS, sound: false }, eventDefaults)).toBe("?sound=0");
  });

  it("merchant=ID picks a booth; an id the API would refuse is ignored", () => {
    expect(parseSettings("").merchant).toBeNull();
    expect(parseSettings("?merchant=173").merchant).toBe("173");
    expect(parseSettings("?merchant=stand_7-b").merchant).toBe("stand_7-b");
    expect(parseSettings("?merchant=a%2Fb").merchant).toBeNull();
    expect(parseSettings(`?merchant=${"x".repeat(65)}`).merchant).toBeNull();
    const s = parseSettings("?merchant=173&sound=1&kiosk=1");
    expect(parseSettings(settingsToSearch(s))).toEqual(s);
  });
});

const event = (data: unknown) => ({ data: JSON.stringify(data) }) as MessageEvent;

describe("a booth's stream", () => {
  it("keeps its merchant's sales and status, drops the others' and everyone's totals", () => {
    expect(concernsMerchant("sale", event({ merchant_id: "100" }), "100")).toBe(true);
    expect(concernsMerchant("sale", event({ merchant_id: "101" }), "100")).toBe(false);
    expect(concernsMerchant("sale", { data: "{not json" } as MessageEvent, "100")).toBe(false);
    expect(concernsMerchant("merchant", event({ id: "100" }), "100")).toBe(true);
    expect(concernsMerchant("merchant", event({ id: "7" }), "100")).toBe(false);
    expect(concernsMerchant("summary", event({ total_transactions: 5 }), "100")).toBe(false);
    for (const type of ["milestone", "reset", "ping", "scenes"]) {
      expect(concernsMerchant(type, event({}), "100"), type).toBe(true);
    }
  });

  it("refreshes at once and once more later, however many sales arrive meanwhile", async () => {
    let calls = 0;
    const refresh = refreshTwice(() => calls++, 20);
    refresh();
    refresh();
    expect(calls).toBe(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(calls).toBe(3);
  });
});
