import { getMerchantLeaderboard, readSummary, readTicker } from "./dashboard.js";
import { readDataHealth } from "./data-health.js";
import type { Db, WriterDb } from "./db.js";
import {
  type EventSettingsPatch,
  getEventLogo,
  getEventSettings,
  setEventLogo,
  updateEventSettings,
} from "./event.js";
import { readExportBatch } from "./exports.js";
import { readAnnouncedSales, readAnnouncedTriggers, readLiveCatchUp } from "./live-news.js";
import {
  deleteMerchant,
  getMerchant,
  getMerchantSourceSettings,
  listMerchants,
  type MerchantInput,
  type MerchantPatch,
  updateMerchant,
  upsertMerchant,
} from "./merchants.js";
import {
  createMilestone,
  deleteMilestone,
  listMilestones,
  listTriggers,
  listUpcomingMilestones,
  type MilestoneInput,
  type MilestonePatch,
  updateMilestone,
} from "./milestones.js";
import { writePollTimes } from "./poll-times.js";
import { readProductLeaderboard } from "./product-leaderboard.js";
import { readRecap } from "./recap.js";
import {
  deleteScene,
  listScenes,
  type SceneInput,
  type ScenePatch,
  updateScene,
  upsertScene,
} from "./scenes.js";
import { getTimeseries } from "./timeseries.js";
import { getWebhookTarget } from "./webhook-target.js";
import {
  createWebhook,
  deleteWebhook,
  listDeliveries,
  listWebhooks,
  updateWebhook,
  type WebhookInput,
  type WebhookPatch,
} from "./webhooks.js";

/**
 * Every read the API makes, by name, so it can run where the database lives (the ingest thread's
 * read-only connection in the service). Reads never wait for a poll being stored: they see the last
 * committed state.
 */
export const READS = {
  /** Summary, ticker and product leaderboard answer null for a merchant filter naming no merchant. */
  summary: readSummary,
  ticker: readTicker,
  merchantLeaderboard: getMerchantLeaderboard,
  productLeaderboard: readProductLeaderboard,
  triggers: listTriggers,
  upcomingMilestones: (db: Db, _args: Record<string, never>) => listUpcomingMilestones(db),
  timeseries: getTimeseries,
  merchants: (db: Db, _args: Record<string, never>) => listMerchants(db),
  merchant: (db: Db, args: { id: string }) => getMerchant(db, args.id),
  /** Its source and settings with their secrets: only for the admin API to merge omitted secrets. */
  merchantSourceSettings: (db: Db, args: { id: string }) => getMerchantSourceSettings(db, args.id),
  milestones: (db: Db, _args: Record<string, never>) => listMilestones(db),
  /** The public playlist (enabled only); `adminScenes` lists every scene. Both by order, then id. */
  scenes: (db: Db, _args: Record<string, never>) => listScenes(db, { enabledOnly: true }),
  adminScenes: (db: Db, _args: Record<string, never>) => listScenes(db, { enabledOnly: false }),
  /** A BTCPay or LNbits delivery's merchant: source, enabled and webhook secret (source-webhooks.ts). */
  webhookTarget: (db: Db, args: { id: string }) => getWebhookTarget(db, args.id),
  eventSettings: (db: Db, _args: Record<string, never>) => getEventSettings(db),
  /** The logo's bytes, type and digest; undefined when there is none. */
  eventLogo: (db: Db, _args: Record<string, never>) => getEventLogo(db),
  /** One batch of an admin export after a cursor (exports.ts): an export is many of these, never one read. */
  exportBatch: readExportBatch,
  recap: readRecap,
  /** Every merchant's poll record and its products' figures on both sides (data-health.ts). */
  dataHealth: readDataHealth,
  /** Outgoing webhooks (secrets never in the answer) and one's delivery log, newest first. */
  webhooks: (db: Db, _args: Record<string, never>) => listWebhooks(db),
  webhookDeliveries: (db: Db, args: { id: number }) => listDeliveries(db, args.id),
  /** What another instance announced it stored, and what was stored while not listening (live-news.ts). */
  announcedSales: readAnnouncedSales,
  announcedTriggers: readAnnouncedTriggers,
  liveCatchUp: readLiveCatchUp,
};

/** Every change an operator makes, by name: they run on the one writer connection, between polls' writes. */
export const CHANGES = {
  upsertMerchant: (db: Db, a: { input: MerchantInput; now: number }) => upsertMerchant(db, a.input, a.now),
  updateMerchant: (db: Db, a: { id: string; patch: MerchantPatch; now: number }) =>
    updateMerchant(db, a.id, a.patch, a.now),
  deleteMerchant: (db: Db, a: { id: string }) => deleteMerchant(db, a.id),
  createMilestone: (db: Db, a: { input: MilestoneInput; now: number }) => createMilestone(db, a.input, a.now),
  updateMilestone: (db: Db, a: { id: number; patch: MilestonePatch; now: number }) =>
    updateMilestone(db, a.id, a.patch, a.now),
  deleteMilestone: (db: Db, a: { id: number }) => deleteMilestone(db, a.id),
  upsertScene: (db: Db, a: { input: SceneInput; now: number }) => upsertScene(db, a.input, a.now),
  updateScene: (db: Db, a: { id: string; patch: ScenePatch; now: number }) =>
    updateScene(db, a.id, a.patch, a.now),
  deleteScene: (db: Db, a: { id: string }) => deleteScene(db, a.id),
  updateEventSettings: (db: Db, a: { patch: EventSettingsPatch; now: number }) =>
    updateEventSettings(db, a.patch, a.now),
  /** Stores the logo, or removes it with `logo: null`. */
  setEventLogo: (db: Db, a: { logo: Parameters<typeof setEventLogo>[1]; now: number }) =>
    setEventLogo(db, a.logo, a.now),
  createWebhook: (db: Db, a: { input: WebhookInput; now: number }) => createWebhook(db, a.input, a.now),
  updateWebhook: (db: Db, a: { id: number; patch: WebhookPatch; now: number }) =>
    updateWebhook(db, a.id, a.patch, a.now),
  deleteWebhook: (db: Db, a: { id: number }) => deleteWebhook(db, a.id),
};

export type ReadName = keyof typeof READS;
export type ReadArgs<N extends ReadName> = Parameters<(typeof READS)[N]>[1];
export type ReadResult<N extends ReadName> = Awaited<ReturnType<(typeof READS)[N]>>;
export type ChangeName = keyof typeof CHANGES;
export type ChangeArgs<N extends ChangeName> = Parameters<(typeof CHANGES)[N]>[1];
export type ChangeResult<N extends ChangeName> = Awaited<ReturnType<(typeof CHANGES)[N]>>;

/** The database as the HTTP side sees it: named reads and changes, wherever the connections live. */
export interface StoreAccess {
  read<N extends ReadName>(name: N, args: ReadArgs<N>): Promise<ReadResult<N>>;
  change<N extends ChangeName>(name: N, args: ChangeArgs<N>): Promise<ChangeResult<N>>;
}

export function runRead<N extends ReadName>(db: Db, name: N, args: ReadArgs<N>): Promise<ReadResult<N>> {
  const query = READS[name] as (db: Db, args: ReadArgs<N>) => Promise<ReadResult<N>>;
  return query(db, args);
}

export async function runChange<N extends ChangeName>(
  db: WriterDb,
  name: N,
  args: ChangeArgs<N>,
): Promise<ChangeResult<N>> {
  const change = CHANGES[name] as (db: Db, args: ChangeArgs<N>) => Promise<ChangeResult<N>>;
  // Poll times kept in memory go first, so a merchant deleted or re-created now is not stamped after.
  const result = await writePollTimes(db).then(() => db.writeHealth.track(() => change(db, args)));
  await announceChange(db, name, args);
  return result;
}

/**
 * Tells the other instances of a change made (committed already: some changes are transactions of
 * their own). A failure to tell them does not undo it nor fail the request: PostgreSQL is then down or
 * cut off, the other instances' listeners with it, and they refresh everything when they listen again.
 */
async function announceChange(db: WriterDb, name: ChangeName, args: unknown): Promise<void> {
  const a = args as { id?: unknown; input?: { id?: unknown } };
  const id = a.id ?? a.input?.id;
  const news = { kind: "change" as const, change: name };
  try {
    await db.announce(db, typeof id === "string" || typeof id === "number" ? { ...news, id } : news);
  } catch {
    // See above: the receivers catch up on their own.
  }
}

/**
 * Reads and changes on the given connections in the caller's thread: on the ingest thread itself, and in
 * tests on one `:memory:` database (which a second connection could not see).
 */
export function inlineStore(writer: WriterDb, reader: Db = writer): StoreAccess {
  return {
    read: (name, args) => runRead(reader, name, args),
    change: (name, args) => runChange(writer, name, args),
  };
}
