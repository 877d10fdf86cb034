/**
 * The webhook outbox: deliveries are written in the same transaction that stores the sales or fires the
 * milestone they carry (poll-transaction.ts, sale-batches.ts, source-poll.ts, webhook-sale.ts,
 * due-milestones.ts), so a crash keeps the sale and its deliveries, or neither: none is lost, none is
 * made twice. Each has a random delivery id, sent on every attempt, by which a receiver dedupes the
 * rare resend (a crash after the receiver answered but before the answer was recorded).
 * The delivery worker (webhooks/delivery-worker.ts) reads and updates them outside any poll's transaction.
 */
import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { MilestoneTrigger, TickerRow } from "../contract/index.js";
import type { IncomingSale } from "./poll-contents.js";
import type { Delivery, PollWrites } from "./poll-seam.js";
import type { Database } from "./schema.js";
import { toTickerRow } from "./shapes.js";

/**
 * A sale dated more than this before a webhook was registered is history, not news: a merchant added
 * later with a long history does not flood the receiver with its past.
 */
export const SALE_HISTORY_GRACE_MS = 3_600_000;
/** Sales enqueued between two yields to the event loop, as insertSales does. */
const CHUNK = 2000;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The sale deliveries of freshly stored sales (those insertSales inserted), for every webhook
 * subscribed to `sale`: enqueued one batch per chunk of sales.
 */
export async function enqueueSales(
  pw: PollWrites,
  merchant: { id: string; alias: string; source: string },
  fresh: readonly (IncomingSale & { externalId?: string })[],
  now: number,
): Promise<void> {
  if (fresh.length === 0) return;
  const hooks = await pw.saleHooks();
  if (hooks.length === 0) return;
  // One random prefix per transaction and a counter: unique ids at the cost of one UUID per poll.
  const prefix = randomUUID();
  let n = 0;
  // In the order insertSales stores them (upstream lists newest first): oldest first.
  const last = fresh.length - 1;
  const backwards = last > 0 && (fresh[0] as IncomingSale).date > (fresh[last] as IncomingSale).date;
  for (let i = 0; i < fresh.length; i += CHUNK) {
    const end = Math.min(i + CHUNK, fresh.length);
    const deliveries: Delivery[] = [];
    for (let j = i; j < end; j++) {
      const s = fresh[backwards ? last - j : j] as IncomingSale & { externalId?: string };
      const wanting = hooks.filter((h) => s.date >= h.created_at - SALE_HISTORY_GRACE_MS);
      if (wanting.length === 0) continue;
      const body = JSON.stringify(saleBody(merchant, s));
      for (const h of wanting)
        deliveries.push({ deliveryId: `${prefix}-${n++}`, webhookId: h.id, event: "sale", body, at: now });
    }
    if (deliveries.length > 0) await pw.enqueueDeliveries(deliveries);
    if (end < fresh.length) await yieldToEventLoop();
  }
}

function saleBody(
  merchant: { id: string; alias: string; source: string },
  s: IncomingSale & { externalId?: string },
): TickerRow {
  return toTickerRow({
    sale_id: s.saleId,
    merchant_id: merchant.id,
    merchant_alias: merchant.alias,
    amount_sats: s.amountSats,
    sale_date: s.date,
    fiat_amount: s.fiatAmount,
    currency: s.currency,
    source: merchant.source,
    external_id: s.externalId ?? null,
  });
}

/** The milestone deliveries of a trigger just recorded, in its transaction (rare: Kysely will do). */
export async function enqueueTrigger(trx: Kysely<Database>, trigger: MilestoneTrigger, now: number) {
  const hooks = await trx.selectFrom("webhooks").select("id").where("on_milestone", "=", 1).execute();
  if (hooks.length === 0) return;
  const body = JSON.stringify(trigger);
  await trx
    .insertInto("webhook_deliveries")
    .values(
      hooks.map((h) => ({
        delivery_id: randomUUID(),
        webhook_id: h.id,
        event: "milestone",
        body,
        status: "pending",
        next_attempt_at: now,
        created_at: now,
      })),
    )
    .execute();
}
