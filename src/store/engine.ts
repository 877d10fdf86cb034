import { PostgresAdapter, type QueryExecutorProvider, sql } from "kysely";

/**
 * Which engine a connection runs on. Queries are written once in SQL both engines answer alike; the
 * few that cannot be (a function one of them lacks) ask here and say why beside the branch.
 */
export type Engine = "sqlite" | "postgres";

export function engineOf(db: QueryExecutorProvider): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/** The advisory-lock class of per-merchant turns (two-key locks: apart from any one-key lock). */
const MERCHANT_TURN_CLASS = 1;

/**
 * On PostgreSQL, makes this transaction wait until no other one writing this merchant's keyed sales is
 * in progress (an instance's poll and another's, or a webhook's): each decides which sales are new by
 * reading what is stored, and two deciding at once would both insert the same sale, and one fail on
 * the unique key. Held to the end of the transaction; its statements after it see the other's commit.
 * SQLite has one writer: nothing to wait for.
 */
export async function takeMerchantTurn(trx: QueryExecutorProvider, merchantId: string): Promise<void> {
  if (engineOf(trx) !== "postgres") return;
  await sql`select pg_advisory_xact_lock(${MERCHANT_TURN_CLASS}, hashtext(${merchantId}))`.execute(trx);
}
