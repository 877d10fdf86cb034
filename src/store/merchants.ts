import type { Selectable } from "kysely";
import type { Merchant } from "../contract/index.js";
import type { Db, WriterDb } from "./db.js";
import { checkFence, type PollFence } from "./poll-fence.js";
import { POLLED_SOURCES } from "./poll-statements.js";
import { writePollTimes } from "./poll-times.js";
import type { MerchantsTable } from "./schema.js";
import { toMerchant } from "./shapes.js";
import { parseStoredJson } from "./source-settings.js";
import { storableText } from "./storable-text.js";

const MERCHANT_COLUMNS = [
  "id",
  "public_key",
  "alias",
  "enabled",
  "last_polled_at",
  "last_error",
  "consecutive_failures",
  "source",
  "source_settings",
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
  /** "pwf", "btcpay" or "lnbits": which client polls it. */
  source: string;
  /** A BTCPay or LNbits merchant's settings, parsed from JSON (secrets included); null for PayWithFlash. */
  settings: unknown;
  /** Its client's state after the last successful poll, parsed from JSON; null: read the whole history. */
  syncState: unknown;
}

const CREDENTIAL_COLUMNS = [
  "id",
  "public_key",
  "alias",
  "body_digest",
  "source",
  "source_settings",
  "sync_state",
] as const;
type CredentialColumns = Selectable<Pick<MerchantsTable, (typeof CREDENTIAL_COLUMNS)[number]>>;
const toCredentials = (r: CredentialColumns): MerchantCredentialsRow => ({
  id: r.id,
  publicKey: r.public_key,
  alias: r.alias,
  bodyDigest: r.body_digest,
  source: r.source,
  settings: parseStoredJson(r.source_settings),
  syncState: parseStoredJson(r.sync_state),
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

/** Where a merchant's sales come from ("pwf", "btcpay", "lnbits" polled, "wifi" pushed); undefined when unknown. */
export async function getMerchantSource(db: Db, id: string): Promise<string | undefined> {
  const row = await db.selectFrom("merchants").select("source").where("id", "=", id).executeTakeFirst();
  return row?.source;
}

/** The merchants the poller reads: enabled, of a polled source (a webhook's merchant has nothing to poll). */
export async function listEnabledMerchantCredentials(db: Db): Promise<MerchantCredentialsRow[]> {
  const rows = await db
    .selectFrom("merchants")
    .select(CREDENTIAL_COLUMNS)
    .where("enabled", "=", 1)
    .where("source", "in", POLLED_SOURCES)
    .orderBy("id")
    .execute();
  return rows.map(toCredentials);
}

export interface MerchantInput {
  id: string;
  public_key: string;
  alias: string;
  enabled?: boolean | undefined;
  /** "pwf" when absent. A merchant keeps its source for life: the admin API refuses a change. */
  source?: string | undefined;
  /** A BTCPay or LNbits merchant's whole settings, secrets included (contract/sources.ts). */
  source_settings?: object | null | undefined;
}

/**
 * Creates or replaces a merchant's settings; its sales, totals and poll state stay, except a keyed
 * source's sync state: new settings may point at another store or wallet, so its next poll reads all.
 */
export async function upsertMerchant(db: Db, input: MerchantInput, now: number): Promise<Merchant> {
  const enabled = input.enabled === false ? 0 : 1;
  const settings = input.source_settings ? JSON.stringify(input.source_settings) : null;
  await db
    .insertInto("merchants")
    .values({
      id: input.id,
      public_key: input.public_key,
      alias: input.alias,
      enabled,
      last_polled_at: null,
      last_error: null,
      source: input.source ?? POLLED_SOURCES[0],
      source_settings: settings,
      sync_state: null,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column("id").doUpdateSet({
        public_key: input.public_key,
        alias: input.alias,
        enabled,
        ...(input.source_settings === undefined ? {} : { source_settings: settings, sync_state: null }),
        updated_at: now,
      }),
    )
    .execute();
  const merchant = await getMerchant(db, input.id);
  if (!merchant) throw new Error(`merchant ${input.id} vanished after upsert`);
  return merchant;
}

/** A merchant's source and its settings (secrets included: for the webhook routes and the admin API's merges). */
export async function getMerchantSourceSettings(
  db: Db,
  id: string,
): Promise<{ source: string; enabled: boolean; settings: unknown } | undefined> {
  const row = await db
    .selectFrom("merchants")
    .select(["source", "enabled", "source_settings"])
    .where("id", "=", id)
    .executeTakeFirst();
  return (
    row && { source: row.source, enabled: row.enabled === 1, settings: parseStoredJson(row.source_settings) }
  );
}

export interface MerchantPatch {
  public_key?: string | undefined;
  alias?: string | undefined;
  enabled?: boolean | undefined;
  /**
   * A BTCPay or LNbits merchant's new whole settings (secrets included). Its sync state is dropped with
   * them, as upsertMerchant does: they may point at another store or wallet.
   */
  source_settings?: object | undefined;
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
      ...(patch.source_settings === undefined
        ? {}
        : { source_settings: JSON.stringify(patch.source_settings), sync_state: null }),
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

/**
 * A failed poll: remembered so operators see why, and counted so the poller can back off. A leased
 * poll's `fence` (poll-fence.ts) is checked in the same transaction: LeaseLost, nothing recorded, when
 * the lease is another instance's by then (its poll's record is the merchant's, not this one's).
 */
export async function recordPollFailure(
  db: WriterDb,
  id: string,
  message: string,
  now: number = Date.now(),
  fence?: PollFence,
): Promise<number> {
  // An earlier success kept in memory is written first: the failure is the newer state.
  await writePollTimes(db);
  // The message may quote the upstream (its failure message): made storable, or the failure itself
  // would fail to be recorded on PostgreSQL.
  const error = storableText(message);
  const record = (on: Db) =>
    on
      .updateTable("merchants")
      .set((eb) => ({
        last_error: error,
        consecutive_failures: eb("consecutive_failures", "+", 1),
        total_failures: eb("total_failures", "+", 1),
        last_failure: error,
        last_failed_at: now,
      }))
      .where("id", "=", id)
      .returning("consecutive_failures")
      .executeTakeFirst();
  const fenced = () =>
    db.transaction().execute(async (trx) => {
      const row = await record(trx);
      // No row: the merchant is gone, and its lease row with it.
      if (row) await checkFence(trx, id, fence);
      return row;
    });
  const row = await db.writeHealth.track(fence ? fenced : () => record(db));
  return row?.consecutive_failures ?? 0;
}
