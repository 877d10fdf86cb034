/**
 * What an instance reads when another one announces a write (store/announce.ts) or when it listens
 * again after a time without (catching up): the sales and milestone triggers, in the shapes the live
 * stream carries, oldest first as the stream publishes them. Each sale carries its row id, the order
 * of insertion every instance shares: the mark an instance catches up from.
 */
import type { MilestoneTrigger, TickerRow } from "../contract/index.js";
import { TICKER_COLUMNS } from "./dashboard.js";
import type { Db } from "./db.js";
import { toTickerRow, toTrigger } from "./shapes.js";

export interface LiveSale {
  rowId: number;
  row: TickerRow;
}

/** The last sale row and trigger stored: where an instance starts counting what it may miss. */
export interface LiveMarks {
  saleRow: number;
  trigger: number;
}

function saleRows(db: Db) {
  return db
    .selectFrom("transactions as t")
    .innerJoin("merchants as m", "m.id", "t.merchant_id")
    .select([...TICKER_COLUMNS, "t.id as row_id"]);
}

const toLive = (r: Parameters<typeof toTickerRow>[0] & { row_id: number }): LiveSale => ({
  rowId: r.row_id,
  row: toTickerRow(r),
});

/** The merchant's sales named by id, or (no ids: too many to name) its `limit` newest; oldest first. */
export async function readAnnouncedSales(
  db: Db,
  args: { merchantId: string; saleIds?: readonly number[]; limit: number },
): Promise<LiveSale[]> {
  let q = saleRows(db).where("t.merchant_id", "=", args.merchantId);
  if (args.saleIds !== undefined) {
    if (args.saleIds.length === 0) return [];
    q = q.where("t.sale_id", "in", [...args.saleIds]);
  }
  const rows = await q.orderBy("t.sale_date", "desc").orderBy("t.id", "desc").limit(args.limit).execute();
  return rows.map(toLive).reverse();
}

/** Milestone triggers by id, or (no ids) the `limit` newest; oldest first. */
export async function readAnnouncedTriggers(
  db: Db,
  args: { ids?: readonly number[]; limit: number },
): Promise<MilestoneTrigger[]> {
  let q = db.selectFrom("milestone_triggers").selectAll();
  if (args.ids !== undefined) {
    if (args.ids.length === 0) return [];
    q = q.where("id", "in", [...args.ids]);
  }
  const rows = await q.orderBy("id", "desc").limit(args.limit).execute();
  return rows.map(toTrigger).reverse();
}

/**
 * What was stored after `after` (null: nothing, only the marks, to start from): the newest `limit`
 * sales and every trigger (a handful per event), oldest first, and the marks to continue from.
 */
export async function readLiveCatchUp(
  db: Db,
  args: { after: LiveMarks | null; limit: number },
): Promise<{ sales: LiveSale[]; triggers: MilestoneTrigger[]; marks: LiveMarks }> {
  const marks = await readMarks(db);
  if (args.after === null) return { sales: [], triggers: [], marks };
  const { saleRow, trigger } = args.after;
  const [sales, triggers] = await Promise.all([
    saleRows(db).where("t.id", ">", saleRow).orderBy("t.id", "desc").limit(args.limit).execute(),
    db.selectFrom("milestone_triggers").selectAll().where("id", ">", trigger).orderBy("id").execute(),
  ]);
  return { sales: sales.map(toLive).reverse(), triggers: triggers.map(toTrigger), marks };
}

async function readMarks(db: Db): Promise<LiveMarks> {
  const [sale, trigger] = await Promise.all([
    db
      .selectFrom("transactions")
      .select((e) => e.fn.max("id").as("max"))
      .executeTakeFirst(),
    db
      .selectFrom("milestone_triggers")
      .select((e) => e.fn.max("id").as("max"))
      .executeTakeFirst(),
  ]);
  return { saleRow: Number(sale?.max ?? 0), trigger: Number(trigger?.max ?? 0) };
}
