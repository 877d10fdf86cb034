import { type Kysely, PostgresAdapter } from "kysely";

/**
 * Which engine a connection runs on. Queries are written once in SQL both engines answer alike; the
 * few that cannot be (a function one of them lacks) ask here and say why beside the branch.
 */
export type Engine = "sqlite" | "postgres";

export function engineOf(
  db: Kysely<unknown> | Kysely<never> | { getExecutor(): { adapter: unknown } },
): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}
