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

/** How far below the marks a catch-up looks for rows committed after others with higher ids. */
const LOOK_BACK_SALE_ROWS = 10_000;
const LOOK_BACK_TRIGGERS = 100;

/** What a catch-up reads after, and how far back it looks (readLiveCatchUp). */
export interface CatchUpFrom {
  /** The last sale row and trigger seen. */
  after: LiveMarks;
  /** Nothing at or below these was ever this reader's to publish (where it started). */
  floor: LiveMarks;
  /** Sales stored (created_at) and triggers fired (triggered_at) since this, below the marks, count too. */
  since: number;
}

/**
 * What was stored after `from.after` (null: nothing, only the marks, to start from): the newest `limit`
 * sales and every trigger (a handful per event), oldest first, and the marks to continue from. Ids are
 * handed out in insertion order but rows appear in commit order: a transaction that took its ids
 * before another's and committed after it, while the reader was not listening, left rows below the
 * marks. So this also reads, down to a bounded depth, the sales and triggers below them stored since
 * `from.since`; the reader skips those it has published already.
 */
export async function readLiveCatchUp(
  db: Db,
  args: { from: CatchUpFrom | null; limit: number },
): Promise<{ sales: LiveSale[]; triggers: MilestoneTrigger[]; marks: LiveMarks }> {
  const marks = await readMarks(db);
  if (args.from === null) return { sales: [], triggers: [], marks };
  const { after, floor, since } = args.from;
  const lowestSale = Math.max(floor.saleRow, after.saleRow - LOOK_BACK_SALE_ROWS);
  const lowestTrigger = Math.max(floor.trigger, after.trigger - LOOK_BACK_TRIGGERS);
  const [sales, triggers] = await Promise.all([
    saleRows(db)
      .where("t.id", ">", lowestSale)
      .where((e) => e.or([e("t.id", ">", after.saleRow), e("t.created_at", ">=", since)]))
      .orderBy("t.id", "desc")
      .limit(args.limit)
      .execute(),
    db
      .selectFrom("milestone_triggers")
      .selectAll()
      .where("id", ">", lowestTrigger)
      .where((e) => e.or([e("id", ">", after.trigger), e("triggered_at", ">=", since)]))
      .orderBy("id")
      .execute(),
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
