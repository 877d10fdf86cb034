// Polls ever-longer histories read as they stream (newest first, batch by batch, as the poller does)
// into DB_FILE until killed, printing each committed batch and each finished poll.
// Runs from the build (dist/) so a real, separate process can be killed mid-write.
import { openDatabase } from "../../dist/store/db.js";
import { upsertMerchant } from "../../dist/store/merchants.js";
import { applyPoll } from "../../dist/store/poll-transaction.js";
import { nothingStoredYet, storeSaleBatch } from "../../dist/store/sale-batches.js";
import { StreamedPayload } from "../../dist/upstream/streamed-payload.js";

const [dbFile, startArg] = process.argv.slice(2);
const store = await openDatabase(dbFile);
await upsertMerchant(store.db, { id: "crash", public_key: "k", alias: "Crash" }, Date.now());
for (let newest = Number(startArg) + 5000; ; newest += 5000) {
  const sales = [];
  for (let id = newest; id >= 1; id--) {
    sales.push(
      `{"SaleId":${id},"SaleDate":"2025-11-10T12:00:00.000000+00:00","TotalCostSats":"${id}",` +
        `"Products":[{"ProductID":${id % 7},"ProductName":"p","ProductPriceSats":1,"Quantity":1}]}`,
    );
  }
  const body = Buffer.from(`{"success":true,"data":{"products":[],"sales":[${sales.join(",")}]}}`);
  const payload = new StreamedPayload(2000);
  const stored = nothingStoredYet();
  for (let at = 0; at < body.length; at += 65536) {
    payload.write(body.subarray(at, at + 65536));
    for (const batch of payload.takeBatches()) {
      await storeSaleBatch(store.db, "crash", batch, Date.now(), stored);
      process.stdout.write(`committed batch\n`);
    }
  }
  await applyPoll(store.db, "crash", payload.end(), Date.now(), stored);
  process.stdout.write(`complete ${newest}\n`);
}
