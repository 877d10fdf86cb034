import { type QueryExecutorProvider, sql } from "kysely";
import type pg from "pg";

/**
 * What one instance tells the others through NOTIFY: a kind ("sale", "settings", …), a small payload
 * (ids: the receivers read the details from the database, which the sender has committed) and the
 * sending instance, so that the sender, which acted locally already, can skip its own.
 */
export interface ClusterMessage {
  kind: string;
  payload: unknown;
  origin: string;
}

/** The one channel every instance of a dashboard listens on and announces its writes to. */
export const LIVE_CHANNEL = "live_pos_dashboard";

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more (its default page size's limit). */
export const MAX_PAYLOAD_BYTES = 8000;

/** Channel names are put into LISTEN as they are: nothing to escape, lower case as pg_notify() expects. */
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkChannel(channel: string): string {
  if (!CHANNEL.test(channel)) throw new RangeError(`bad notification channel name: ${channel}`);
  return channel;
}

/**
 * The message as sent. Throws a RangeError at 8000 bytes or more: a payload that big is a bug (ids
 * only), and it is better refused here, where the caller sees it, than by PostgreSQL inside a
 * transaction that would then roll back the write it announces.
 */
export function encodeMessage(message: ClusterMessage): string {
  const text = JSON.stringify({ k: message.kind, p: message.payload, o: message.origin });
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes >= MAX_PAYLOAD_BYTES) {
    throw new RangeError(`notification "${message.kind}" is ${bytes} bytes; NOTIFY takes under 8000`);
  }
  return text;
}

/** The message received, or undefined for one this version cannot read (never thrown at the listener). */
export function decodeMessage(text: string): ClusterMessage | undefined {
  try {
    const raw = JSON.parse(text) as { k?: unknown; p?: unknown; o?: unknown };
    if (typeof raw.k !== "string" || typeof raw.o !== "string") return undefined;
    return { kind: raw.k, payload: raw.p, origin: raw.o };
  } catch {
    return undefined;
  }
}

/**
 * Sends through the caller's connection: a Kysely transaction (or database) or a pg client. Inside a
 * transaction PostgreSQL holds the notification until commit and drops it on rollback, so receivers
 * never hear of a write they cannot read yet, nor of one that never happened.
 */
export async function notifyVia(
  executor: QueryExecutorProvider | pg.ClientBase,
  channel: string,
  message: ClusterMessage,
): Promise<void> {
  const text = encodeMessage(message);
  if ("getExecutor" in executor) {
    await sql`select pg_notify(${channel}, ${text})`.execute(executor);
  } else {
    await executor.query("select pg_notify($1, $2)", [channel, text]);
  }
}
