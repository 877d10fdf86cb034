// Ingests ever-growing payloads into DB_FILE until killed, printing each committed sale count.
// Runs from the build (dist/) so a real, separate process can be killed mid-write.
import { openDatabase } from "../../dist/store/db.js";
import { upsertMerchant } from "../../dist/store/merchants.js";
import { applyPoll } from "../../dist/store/poll-transaction.js";
import { parsePosPayload } from "../../dist/upstream/payload.js";

const [dbFile, startArg] = process.argv.slice(2);
const store = await openDatabase(dbFile);
await upsertMerchant(store.db, { id: "crash", public_key: "k", alias: "Crash" }, Date.now());
let next = Number(startArg);
for (;;) {
  next += 50;
  const sales = [];
  for (let id = 1; id <= next; id++) {
    sales.push({
      SaleId: id,
      SaleDate: "2025-11-10T12:00:00.000000+00:00",
      TotalCostSats: String(id),
      Products: [{ ProductID: id % 7, ProductName: "p", ProductPriceSats: 1, Quantity: id }],
    });
  }
  await applyPoll(
    store.db,
    "crash",
    parsePosPayload({ success: true, data: { sales, products: [] } }),
    Date.now(),
  );
  process.stdout.write(`committed ${next}\n`);
}
