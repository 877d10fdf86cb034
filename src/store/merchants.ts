import type { Merchant } from "../contract/index.js";
import type { Db, WriterDb } from "./db.js";
import { POLLED_SOURCE } from "./poll-statements.js";
import { writePollTimes } from "./poll-times.js";
import { toMerchant } from "./shapes.js";

const MERCHANT_COLUMNS = [
  "id",
  "public_key",
  "alias",
  "enabled",
  "last_polled_at",
  "last_error",
  "consecutive_failures",
  "source",
  "created_at",
  "updated_at",
] as const;

export async function listMerchants(db: Db): Promise<Merchant[]> {
  // By alias in byte order, as the original lists them (its operators find a shop by name).
  const rows = await db
    .selectFrom("merchants")
    .select(MERCHANT_COLUMNS)
    .orderBy("alias")
    .orderBy("id")
    .execute();
  return rows.map(toMerchant);
}

export async function getMerchant(db: Db, id: string): Promise<Merchant | undefined> {
  const row = await db
    .selectFrom("merchants")
    .select(MERCHANT_COLUMNS)
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toMerchant(row);
}

export interface MerchantCredentialsRow {
  id: string;
  publicKey: string;
  alias: string;
  bodyDigest: string | null;
}

const CREDENTIAL_COLUMNS = ["id", "public_key", "alias", "body_digest"] as const;
const toCredentials = (r: { id: string; public_key: string; alias: string; body_digest: string | null }) => ({
  id: r.id,
  publicKey: r.public_key,
  alias: r.alias,
  bodyDigest: r.body_digest,
});

/** What the poller needs to reach one merchant's upstream; disabled ones too, for an explicit refetch. */
export async function getMerchantCredentials(
  db: Db,
  id: string,
): Promise<MerchantCredentialsRow | undefined> {
  const row = await db
    .selectFrom("merchants")
    .select(CREDENTIAL_COLUMNS)
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toCredentials(row);
}

/** Where a merchant's sales come from ("pwf" polled, "wifi" pushed by a webhook); undefined when unknown. */
export async function getMerchantSource(db: Db, id: string): Promise<string | undefined> {
  const row = await db.selectFrom("merchants").select("source").where("id", "=", id).executeTakeFirst();
  return row?.source;
}

/** The merchants the poller reads: enabled, and PayWithFlash's (a webhook's merchant has nothing to poll). */
export async function listEnabledMerchantCredentials(db: Db): Promise<MerchantCredentialsRow[]> {
  const rows = await db
    .selectFrom("merchants")
    .select(CREDENTIAL_COLUMNS)
    .where("enabled", "=", 1)
    .where("source", "=", POLLED_SOURCE)
    .orderBy("id")
    .execute();
  return rows.map(toCredentials);
}

export interface MerchantInput {
  id: string;
  public_key: string;
  alias: string;
  enabled?: boolean | undefined;
}

/** Creates or replaces a merchant's settings; its sales, totals and poll state stay. */
export async function upsertMerchant(db: Db, input: MerchantInput, now: number): Promise<Merchant> {
  const enabled = input.enabled === false ? 0 : 1;
  await db
    .insertInto("merchants")
    .values({
      id: input.id,
      public_key: input.public_key,
      alias: input.alias,
      enabled,
      last_polled_at: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .column("id")
        .doUpdateSet({ public_key: input.public_key, alias: input.alias, enabled, updated_at: now }),
    )
    .execute();
  const merchant = await getMerchant(db, input.id);
  if (!merchant) throw new Error(`merchant ${input.id} vanished after upsert`);
  return merchant;
}

export interface MerchantPatch {
  public_key?: string | undefined;
  alias?: string | undefined;
  enabled?: boolean | undefined;
}

export async function updateMerchant(
  db: Db,
  id: string,
  patch: MerchantPatch,
  now: number,
): Promise<Merchant | undefined> {
  const result = await db
    .updateTable("merchants")
    .set({
      ...(patch.public_key === undefined ? {} : { public_key: patch.public_key }),
      ...(patch.alias === undefined ? {} : { alias: patch.alias }),
      ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
      updated_at: now,
    })
    .where("id", "=", id)
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) return undefined;
  return getMerchant(db, id);
}

/** Removes the merchant with its sales, lines, products and totals (cascading keys); false when unknown. */
export async function deleteMerchant(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom("merchants").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** A failed poll: remembered so operators see why, and counted so the poller can back off. */
export async function recordPollFailure(db: WriterDb, id: string, error: string): Promise<number> {
  // An earlier success kept in memory is written first: the failure is the newer state.
  await writePollTimes(db);
  const row = await db.writeHealth.track(() =>
    db
      .updateTable("merchants")
      .set((eb) => ({ last_error: error, consecutive_failures: eb("consecutive_failures", "+", 1) }))
      .where("id", "=", id)
      .returning("consecutive_failures")
      .executeTakeFirst(),
  );
  return row?.consecutive_failures ?? 0;
}
