import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { CHANGES, READS } from "../src/store/access.js";
import { doorsOpenedAt } from "../src/store/event.js";
import {
  getMerchantCredentials,
  getMerchantSource,
  listEnabledMerchantCredentials,
} from "../src/store/merchants.js";
import { ENGINES, type EngineStore, openStore } from "./support/engines.js";

/**
 * The operators' changes and the simple reads, run on each engine against the same fixed answers: what
 * the API serialises must be the same bytes on SQLite and PostgreSQL, so answers are compared as JSON.
 */

const NOW = Date.parse("2026-12-01T10:00:00Z");
const LATER = NOW + 60_000;
const json = (v: unknown) => JSON.stringify(v);

describe.each(ENGINES)("operators' changes on %s", (engine) => {
  let s: EngineStore;
  beforeEach(async () => {
    s = await openStore(engine);
  });
  afterEach(async () => {
    await s.close();
  });

  const merchant = (id: string, alias: string, extra: object = {}) =>
    CHANGES.upsertMerchant(s.db, { input: { id, public_key: `pk_${id}`, alias, ...extra }, now: NOW });

  test("merchants: created, listed in byte order of alias, re-put under the same id, patched, deleted", async () => {
    await merchant("m3", "Äpfel");
    await merchant("m2", "alpha café", { enabled: false });
    const created = await merchant("m1", "Zeta Bar");
    expect(json(created)).toBe(
      json({
        id: "m1",
        public_key: "pk_m1",
        alias: "Zeta Bar",
        enabled: true,
        source: "pwf",
        consecutive_failures: 0,
        created_at: "2026-12-01T10:00:00Z",
        updated_at: "2026-12-01T10:00:00Z",
      }),
    );
    // Bytes, not a language's collation: upper case before lower, then the multi-byte letter.
    const listed = await READS.merchants(s.db, {});
    expect(listed.map((m) => [m.id, m.enabled])).toEqual([
      ["m1", true],
      ["m2", false],
      ["m3", true],
    ]);

    // The same id again replaces the settings and keeps the merchant's creation time.
    const again = await CHANGES.upsertMerchant(s.db, {
      input: { id: "m1", public_key: "pk_new", alias: "Zeta Bar 2", enabled: false },
      now: LATER,
    });
    expect(again).toMatchObject({ public_key: "pk_new", alias: "Zeta Bar 2", enabled: false });
    expect([again.created_at, again.updated_at]).toEqual(["2026-12-01T10:00:00Z", "2026-12-01T10:01:00Z"]);
    expect((await READS.merchants(s.db, {})).length).toBe(3);

    const patched = await CHANGES.updateMerchant(s.db, { id: "m2", patch: { enabled: true }, now: LATER });
    expect(patched).toMatchObject({ id: "m2", alias: "alpha café", enabled: true });
    expect(await CHANGES.updateMerchant(s.db, { id: "nope", patch: { alias: "x" }, now: LATER })).toBe(
      undefined,
    );

    expect(await CHANGES.deleteMerchant(s.db, { id: "m3" })).toBe(true);
    expect(await CHANGES.deleteMerchant(s.db, { id: "m3" })).toBe(false);
    expect(await READS.merchant(s.db, { id: "m3" })).toBe(undefined);
    expect((await READS.merchants(s.db, {})).map((m) => m.id)).toEqual(["m1", "m2"]);
  });

  test("merchants: poll state and counters come back as numbers; a keyed source's secrets stay masked", async () => {
    await merchant("b1", "Shop", {
      source: "btcpay",
      source_settings: {
        base_url: "https://pay.example",
        store_id: "St0re",
        api_key: "key-0123456789abcdef",
      },
    });
    await s.db
      .updateTable("merchants")
      .set({ last_polled_at: LATER, last_error: "timeout", consecutive_failures: 3 })
      .where("id", "=", "b1")
      .execute();
    const read = await READS.merchant(s.db, { id: "b1" });
    expect(json(read)).toBe(
      json({
        id: "b1",
        public_key: "pk_b1",
        alias: "Shop",
        enabled: true,
        source: "btcpay",
        btcpay: { base_url: "https://pay.example", store_id: "St0re", api_key: "••••cdef" },
        last_polled_at: "2026-12-01T10:01:00Z",
        consecutive_failures: 3,
        last_error: "timeout",
        created_at: "2026-12-01T10:00:00Z",
        updated_at: "2026-12-01T10:00:00Z",
      }),
    );
    expect(typeof read?.consecutive_failures).toBe("number");
    expect(await READS.merchantSourceSettings(s.db, { id: "b1" })).toEqual({
      source: "btcpay",
      enabled: true,
      settings: { base_url: "https://pay.example", store_id: "St0re", api_key: "key-0123456789abcdef" },
    });
    expect(await READS.webhookTarget(s.db, { id: "b1" })).toEqual({
      source: "btcpay",
      enabled: true,
      webhookSecret: null,
    });
    expect(await READS.webhookTarget(s.db, { id: "unknown" })).toBe(undefined);
  });

  test("deleting a merchant takes its sales and totals with it on both engines (cascading keys)", async () => {
    await merchant("m1", "One");
    await s.db
      .insertInto("transactions")
      .values({
        merchant_id: "m1",
        sale_id: 1,
        sale_origin: "pos",
        sale_date: NOW,
        amount_sats: 100,
        fiat_amount: null,
        currency: null,
        created_at: NOW,
      })
      .execute();
    await s.db
      .insertInto("fiat_totals")
      .values({ merchant_id: "m1", currency: "EUR", amount: 1.5 })
      .execute();
    expect(await CHANGES.deleteMerchant(s.db, { id: "m1" })).toBe(true);
    const left = await s.db
      .selectFrom("transactions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(left.n).toBe(0);
    expect(await s.db.selectFrom("fiat_totals").selectAll().execute()).toEqual([]);
  });

  test("scenes: the seeded playlist, a new scene after the last, a re-put keeping its place, patch, delete", async () => {
    const seeded = await READS.scenes(s.db, {});
    expect(seeded.map((x) => [x.id, x.order])).toEqual([
      ["overview", 1],
      ["merchants", 2],
      ["products", 3],
      ["trends", 4],
    ]);
    const input = {
      id: "promo",
      name: "Promo",
      durationMs: 15_000,
      enabled: true,
      order: null,
      content: "# Hi",
    };
    const created = await CHANGES.upsertScene(s.db, { input, now: NOW });
    expect(json(created)).toBe(
      json({
        id: "promo",
        name: "Promo",
        duration: 15_000,
        enabled: true,
        order: 7,
        content: "# Hi",
        created_at: "2026-12-01T10:00:00Z",
        updated_at: "2026-12-01T10:00:00Z",
      }),
    );
    const again = await CHANGES.upsertScene(s.db, { input: { ...input, name: "Promo 2" }, now: LATER });
    expect([again.order, again.name, again.created_at]).toEqual([7, "Promo 2", "2026-12-01T10:00:00Z"]);
    const moved = await CHANGES.updateScene(s.db, {
      id: "promo",
      patch: { order: 1, enabled: false },
      now: LATER,
    });
    expect(moved).toMatchObject({ order: 1, enabled: false, updated_at: "2026-12-01T10:01:00Z" });
    await CHANGES.updateScene(s.db, { id: "wifi", patch: { order: 1, enabled: true }, now: LATER });
    // Same order: by id.
    expect((await READS.adminScenes(s.db, {})).map((x) => `${x.id}:${x.order}:${x.enabled}`)).toEqual([
      "overview:1:true",
      "promo:1:false",
      "wifi:1:true",
      "merchants:2:true",
      "products:3:true",
      "trends:4:true",
      "merch:6:false",
    ]);
    expect(await CHANGES.updateScene(s.db, { id: "none", patch: { name: "x" }, now: LATER })).toBe(undefined);
    expect(await CHANGES.deleteScene(s.db, { id: "promo" })).toBe(true);
    expect(await CHANGES.deleteScene(s.db, { id: "promo" })).toBe(false);
  });

  test("event settings: a patch, then the logo's bytes back as a Buffer, then removed", async () => {
    const settings = await CHANGES.updateEventSettings(s.db, {
      patch: {
        name: "Conf",
        time_zone: "Europe/Berlin",
        doors_opened_at: NOW,
        sound: true,
        public_url: null,
      },
      now: NOW,
    });
    expect(json(settings)).toBe(
      json({
        name: "Conf",
        accent_color: "#f7931a",
        time_zone: "Europe/Berlin",
        display_currency: "sats",
        doors_opened_at: "2026-12-01T10:00:00Z",
        celebration_seconds: 9,
        sound: true,
        public_url: null,
        theme: "dark",
        has_logo: false,
        logo_url: null,
        updated_at: "2026-12-01T10:00:00Z",
      }),
    );
    expect(await doorsOpenedAt(s.db)).toBe(NOW);
    // A PNG's magic bytes, a zero and a 0xff, as a view into a larger buffer (as structured clone hands it over).
    const whole = Uint8Array.from([7, 7, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 7]);
    const bytes = whole.subarray(2, 12);
    const sha = createHash("sha256").update(bytes).digest("hex");
    const withLogo = await CHANGES.setEventLogo(s.db, { logo: { bytes, type: "image/png" }, now: LATER });
    expect([withLogo.has_logo, withLogo.logo_url]).toEqual([true, `/v1/event/logo?v=${sha.slice(0, 16)}`]);
    const logo = await READS.eventLogo(s.db, {});
    expect(Buffer.isBuffer(logo?.bytes)).toBe(true);
    expect(Buffer.from(logo?.bytes ?? []).toString("hex")).toBe("89504e470d0a1a0a00ff");
    expect([logo?.type, logo?.sha256, logo?.updatedAt]).toEqual(["image/png", sha, LATER]);

    await CHANGES.setEventLogo(s.db, { logo: null, now: LATER });
    expect(await READS.eventLogo(s.db, {})).toBe(undefined);
    expect(await READS.eventSettings(s.db, {})).toMatchObject({
      has_logo: false,
      logo_url: null,
      sound: true,
    });
  });

  test("scenes created at once each take their own place after the last", async () => {
    const input = (id: string) => ({
      id,
      name: id,
      durationMs: 1000,
      enabled: true,
      order: null,
      content: "",
    });
    const created = await Promise.all(
      ["s1", "s2", "s3", "s4"].map((id) => CHANGES.upsertScene(s.db, { input: input(id), now: NOW })),
    );
    expect(created.map((x) => x.order).sort((a, b) => a - b)).toEqual([7, 8, 9, 10]);
  });

  test("the poller's reads: enabled merchants of a polled source, by id, with parsed settings and state", async () => {
    await merchant("p2", "Two");
    await merchant("p1", "One", { enabled: false });
    await merchant("k1", "Keyed", {
      source: "lnbits",
      source_settings: { base_url: "https://ln.example", api_key: "k" },
    });
    await merchant("wifi", "WiFi", { source: "wifi" });
    await s.db
      .updateTable("merchants")
      .set({ sync_state: '{"since":5}', body_digest: "d" })
      .where("id", "=", "k1")
      .execute();
    expect(await listEnabledMerchantCredentials(s.db)).toEqual([
      {
        id: "k1",
        publicKey: "pk_k1",
        alias: "Keyed",
        bodyDigest: "d",
        source: "lnbits",
        settings: { base_url: "https://ln.example", api_key: "k" },
        syncState: { since: 5 },
      },
      {
        id: "p2",
        publicKey: "pk_p2",
        alias: "Two",
        bodyDigest: null,
        source: "pwf",
        settings: null,
        syncState: null,
      },
    ]);
    expect((await getMerchantCredentials(s.db, "p1"))?.id).toBe("p1");
    expect(await getMerchantCredentials(s.db, "none")).toBe(undefined);
    expect([await getMerchantSource(s.db, "wifi"), await getMerchantSource(s.db, "none")]).toEqual([
      "wifi",
      undefined,
    ]);
  });
});
