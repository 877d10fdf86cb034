import { sql } from "kysely";

/**
 * "Now" in epoch milliseconds, read from the database's clock. Leases are written by one instance and
 * judged by another: with each instance's own clock, a machine whose clock runs a minute fast would take
 * every lease a minute early (or never see its own expire). One clock, the database's, gives every
 * instance the same answer. statement_timestamp(): one value for the whole statement, however many rows
 * it compares, and later than any statement that committed before this one began.
 */
export const DB_NOW = sql<number>`(extract(epoch from statement_timestamp()) * 1000)::bigint`;
