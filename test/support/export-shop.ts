import { storeWebhookSale } from "../../src/store/webhook-sale.js";
import { addMerchant, addMilestone, ingest, line, product, sale } from "./api-helpers.js";
import type { TestApp } from "./app.js";

/** A product name that needs every kind of CSV quoting: a comma, quotes and a line break. */
export const AWKWARD_NAME = 'Latte, "large"\nwith foam';
/** A name a spreadsheet would run as a formula. */
export const FORMULA_NAME = '=HYPERLINK("http://x.invalid")';
export const PAYMENT_HASH = "ab".repeat(32);

/**
 * The shop the export and recap tests read (clock at 2025-11-10T15:00:00Z):
 *   173 Bitcoin Coffee (pwf, usd): 1003 11-08 10:00 50 sats; 1002 14:54:59 1000 (Espresso 1×900,
 *     formula 1×100); 1001 14:58:30 2100 (Espresso 2×700, awkward 1×700)
 *   174 Lightning Bistro (pwf, eur): 2002 09:00 4000 (Pupusa 2×500, Soda 6×500); 2001 14:56 1501
 *   wifi (webhook): one sale at 14:59, 210 sats, its payment hash as external id
 *   milestone "Three sales" (transactions ≥ 3) fires at the first poll, "Five sales" at the second.
 */
export async function seedExportShop(t: TestApp): Promise<void> {
  await addMilestone(t, { name: "Three sales", type: "transactions", threshold: 3 });
  await addMilestone(t, { name: "Five sales", type: "transactions", threshold: 5 });
  await addMerchant(t, "173", "Bitcoin Coffee");
  await addMerchant(t, "174", "Lightning Bistro");
  t.clock.now = Date.parse("2025-11-10T14:59:00Z");
  await ingest(
    t,
    "173",
    [
      sale(1003, 50, "2025-11-08T10:00:00.000000+00:00"),
      sale(1002, 1000, "2025-11-10T14:54:59.000000+00:00", [
        line(480, "Espresso", 1, 900),
        line(482, FORMULA_NAME, 1, 100),
      ]),
      sale(1001, 2100, "2025-11-10T14:58:30.000000+00:00", [
        line(480, "Espresso", 2, 700),
        line(481, AWKWARD_NAME, 1, 700),
      ]),
    ],
    [
      product(480, "Espresso", 40, "38500"),
      product(481, AWKWARD_NAME, 12, "8400"),
      product(482, FORMULA_NAME, 3, "300"),
    ],
  );
  t.clock.now = Date.parse("2025-11-10T14:59:30Z");
  await ingest(
    t,
    "174",
    [
      sale(
        2002,
        4000,
        "2025-11-10T09:00:00.000000+00:00",
        [line(480, "Pupusa", 2, 500), line(481, "Soda", 6, 500)],
        {
          currency: "eur",
          amount: "2.70",
        },
      ),
      sale(2001, 1501, "2025-11-10T14:56:00.000000+00:00", [], { currency: "eur", amount: "1.35" }),
    ],
    [product(480, "Pupusa", 40, "20000")],
  );
  await storeWebhookSale(
    t.store.db,
    { paymentHash: PAYMENT_HASH, amountSats: 210, date: Date.parse("2025-11-10T14:59:00Z") },
    t.clock.now,
  );
  t.clock.now = Date.parse("2025-11-10T15:00:00Z");
}
