/**
 * Ingest as one object: the database's writer and reader connections, the poller that stores every sale
 * on the writer, operators' changes on that same writer (one writer: they queue behind a poll's
 * transaction instead of blocking on a lock), and reads on the reader. The service runs it on the ingest
 * thread (thread.ts); tests that seed rows directly run it in their own thread. Either way it announces
 * every change a dashboard shows (a poll that stored something, an operator's change) through one
 * callback, `onChange`.
 */
import type { FastifyBaseLogger } from "fastify";
import { newInstanceId } from "../cluster/instance-id.js";
import { leaseMsFor, PollLeases } from "../cluster/poll-leases.js";
import type { Summary } from "../contract/index.js";
import { createSourceClients } from "../sources/registry/index.js";
import type { SourceHint } from "../sources/source-client.js";
import type { ChangeArgs, ChangeName, ChangeResult, StoreAccess } from "../store/access.js";
import { runChange, runRead } from "../store/access.js";
import { getSummary } from "../store/dashboard.js";
import type { OpenedDatabase, WriterDb } from "../store/db.js";
import { getMerchantSource, getMerchantSourceSettings } from "../store/merchants.js";
import { POLLED_SOURCES } from "../store/poll-statements.js";
import type { PollResult } from "../store/poll-transaction.js";
import { storeWebhookSale, type WebhookSale, type WebhookStoreResult } from "../store/webhook-sale.js";
import type { WriteFailure } from "../store/write-health.js";
import { formatDuration } from "../time/duration.js";
import { createUpstreamClient, type FetchMerchant } from "../upstream/client.js";
import { DeliveryWorker } from "../webhooks/delivery-worker.js";
import { LeasePoller } from "./lease-schedule.js";
import type { PollerOptions, PollScheduler } from "./poll-types.js";
import { Poller, type PollOutcome } from "./poller.js";
import { openStorage } from "./storage.js";
import { SummaryTicker } from "./summary-ticker.js";
import type { HintAnswer, IngestThreadConfig, RefetchAnswer } from "./thread-protocol.js";

/** After the first cycle, polls start evenly over this part of the poll interval. */
const POLL_SPREAD = 0.5;
/** Screens get fresh totals at most this often while sales keep landing (and once after each burst). */
const SUMMARY_EVERY_MS = 250;

export interface IngestEvents {
  /** Every finished poll, stored or failed (the live feed listens here). */
  onOutcome?: (outcome: PollOutcome) => void;
  /** Something a dashboard shows has changed: cached answers must refresh. */
  onChange?: () => void;
  /** The summary after stored sales, at most one per SUMMARY_EVERY_MS (the live feed pushes it). */
  onSummary?: (summary: Summary) => void;
  /** Writes started or stopped failing for the storage's sake (a full disk), or failed again. */
  onStorage?: (failure: WriteFailure | undefined) => void;
  /** A sale a webhook pushed has been stored: its ticker row and the milestones it fired (the live feed). */
  onWebhookSale?: (result: PollResult) => void;
  /**
   * Upstream bytes read on the ingest thread, by source, since the last report (with each poll's
   * outcome). Inline ingest reads in the caller's thread, where the metrics take them themselves.
   */
  onUpstreamBytes?: (bytes: Record<string, number>) => void;
}

/** What the rest of the service sees of ingest, wherever it runs. */
export interface Ingest {
  /** Reads and operators' changes, on the connections that own the database. */
  store: StoreAccess;
  startPolling(): void;
  /**
   * Polls one merchant now; resolves false (and polls nothing) when there is no such merchant, and
   * "not polled" when its sales come from a webhook (there is nothing upstream to ask).
   */
  refetch(merchantId: string): Promise<RefetchAnswer>;
  /** Stores a sale a webhook pushed, on the one writer, and announces it as a stored poll is announced. */
  storeWebhookSale(sale: WebhookSale): Promise<WebhookStoreResult>;
  /**
   * A BTCPay or LNbits webhook named this merchant: polls it now (poller.hint), unless it is of another
   * source or disabled (a disabled merchant is not ingested, whoever asks).
   */
  hint(merchantId: string, hint: SourceHint): Promise<HintAnswer>;
  /** Stops polling (polls in flight are cancelled), then closes the database. */
  stop(): Promise<void>;
}

export interface LocalIngest extends Ingest {
  /** The writer connection itself, for tests that seed or inspect rows. */
  database: OpenedDatabase;
  /** Polls every enabled merchant once, now, and resolves when all are done (tests, benchmarks). */
  pollAll(): Promise<void>;
  /** The outgoing webhooks' sender; started by startPolling (tests that never poll start it themselves). */
  deliveries: DeliveryWorker;
}

/** What tests running ingest in their own thread may set: a clock and the backoff's jitter. */
export interface IngestClock {
  now?: () => number;
  random?: () => number;
}

/** Opens the database (migrating it) and builds the poller; nothing polls until startPolling(). */
export async function openIngest(
  config: IngestThreadConfig,
  log: FastifyBaseLogger,
  events: IngestEvents,
  clock: IngestClock = {},
): Promise<LocalIngest> {
  const storage = await openStorage(config, log);
  const { writer, readDb } = storage;
  writer.db.writeHealth.onChange = storageReporter(log, events);
  const now = clock.now ?? Date.now;
  const summaries = new SummaryTicker({
    read: () =>
      getSummary(readDb, {
        now: now(),
        rateWindowMs: config.rateWindowMs,
        pollIntervalMs: config.pollIntervalMs,
      }),
    emit: (summary) => events.onSummary?.(summary),
    log,
    now,
    everyMs: SUMMARY_EVERY_MS,
  });
  const deliveries = deliveryWorker(config, writer.db, log);
  const withDeliveries = pokingDeliveries(events, deliveries);
  const poller = buildPoller(config, writer, log, withDeliveries, summaries, clock);
  let stopping = false;
  const change = async <N extends ChangeName>(name: N, args: ChangeArgs<N>): Promise<ChangeResult<N>> => {
    const result = await runChange(writer.db, name, args);
    events.onChange?.();
    return result;
  };
  return {
    database: writer,
    store: { read: (name, args) => runRead(readDb, name, args), change },
    pollAll: () => poller.pollAll(),
    startPolling: () => {
      if (stopping) return;
      poller.start();
      deliveries.start();
    },
    // On the read connection: the writer's may be inside a long first poll's transaction.
    refetch: async (merchantId) =>
      await refetchIfPolled(await getMerchantSource(readDb, merchantId), poller, merchantId),
    storeWebhookSale: webhookSales(writer.db, log, withDeliveries, () => summaries.poke(), now),
    deliveries,
    hint: async (merchantId, hint) =>
      await hintIfKeyed(await getMerchantSourceSettings(readDb, merchantId), poller, merchantId, hint),
    async stop() {
      if (stopping) return;
      stopping = true;
      await poller.stop();
      await deliveries.stop();
      summaries.stop();
      await storage.close();
    },
  };
}

function deliveryWorker(config: IngestThreadConfig, db: WriterDb, log: FastifyBaseLogger): DeliveryWorker {
  const options = {
    timeoutMs: config.webhookTimeoutMs,
    retryBaseMs: config.webhookRetryBaseMs,
    retryCapMs: config.webhookRetryCapMs,
    maxAttempts: config.webhookMaxAttempts,
  };
  return new DeliveryWorker({ db, log, options });
}

/** Whatever stored sales or fired a milestone may have written deliveries: the worker looks at once. */
function pokingDeliveries(events: IngestEvents, deliveries: DeliveryWorker): IngestEvents {
  return {
    ...events,
    onOutcome: (outcome) => {
      if (outcome.result?.changed) deliveries.poke();
      events.onOutcome?.(outcome);
    },
    onWebhookSale: (result) => {
      deliveries.poke();
      events.onWebhookSale?.(result);
    },
  };
}

/** The poller with every source's client, telling `events` and the summary ticker what each poll did. */
function buildPoller(
  config: IngestThreadConfig,
  writer: OpenedDatabase,
  log: FastifyBaseLogger,
  events: IngestEvents,
  summaries: SummaryTicker,
  clock: IngestClock,
): PollScheduler {
  const clientOptions = { timeoutMs: config.httpTimeoutMs, maxBytes: config.maxUpstreamBytes };
  // Whether each merchant's latest poll succeeded: the summary counts the reporting ones, so a merchant
  // that starts or stops failing changes it even when no sale is stored.
  const healthy = new Map<string, boolean>();
  const fetchMerchant: FetchMerchant = createUpstreamClient({
    baseUrl: config.sourceBaseUrl,
    ...clientOptions,
  });
  const options: PollerOptions = {
    db: writer.db,
    fetchMerchant,
    sourceClients: createSourceClients(clientOptions),
    intervalMs: config.pollIntervalMs,
    concurrency: config.pollConcurrency,
    log,
    onOutcome: (outcome) => {
      // A failed poll may have stored sales too (a long history's batches before its body was cut).
      if (outcome.result?.changed) events.onChange?.();
      const ok = outcome.kind === "ok";
      const turned = healthy.get(outcome.merchantId) !== ok;
      healthy.set(outcome.merchantId, ok);
      if ((outcome.result?.storedCount ?? 0) > 0 || turned) summaries.poke();
      events.onOutcome?.(outcome);
    },
    onCycleEnd: () => {
      writer.optimize();
      // Once a cycle even when nothing was stored: screens learn of the last successful poll, and of
      // merchants that have now been silent for long enough to count as not reporting (contract/dashboard.ts).
      summaries.poke();
    },
    // Every merchant is still polled once per interval, but not all in the same instant.
    spreadFraction: POLL_SPREAD,
    ...clock,
  };
  return schedule(config, writer, options);
}

/**
 * SQLite: one instance, polling every merchant each cycle. PostgreSQL: possibly one of several
 * instances on the database, so polls go by leases that keep one poller per merchant (lease-schedule.ts).
 */
function schedule(config: IngestThreadConfig, writer: OpenedDatabase, options: PollerOptions): PollScheduler {
  if (config.databaseUrl === undefined) return new Poller(options);
  return new LeasePoller({
    ...options,
    leases: new PollLeases(writer.db),
    ownerId: newInstanceId(),
    leaseMs: leaseMsFor(config.httpTimeoutMs),
  });
}

async function refetchIfPolled(
  source: string | undefined,
  poller: PollScheduler,
  merchantId: string,
): Promise<RefetchAnswer> {
  if (source === undefined) return false;
  if (!(POLLED_SOURCES as readonly string[]).includes(source)) return "not polled";
  // Awaited: on shared leases the ask is in the database, for whichever instance polls, before the answer.
  await poller.refetch(merchantId);
  return true;
}

const HINTED_SOURCES: readonly string[] = ["btcpay", "lnbits"];

async function hintIfKeyed(
  merchant: { source: string; enabled: boolean } | undefined,
  poller: PollScheduler,
  merchantId: string,
  hint: SourceHint,
): Promise<HintAnswer> {
  if (merchant === undefined) return "unknown merchant";
  if (!HINTED_SOURCES.includes(merchant.source)) return "not keyed";
  if (!merchant.enabled) return "disabled";
  // Only the keys cross: a delivery's other fields are never trusted, the poll reads the source.
  return poller.hint(merchantId, { keys: [...hint.keys] });
}

/** Stores webhook sales and then does what a stored poll does (see the poller's onOutcome above). */
function webhookSales(
  db: WriterDb,
  log: FastifyBaseLogger,
  events: IngestEvents,
  pokeSummary: () => void,
  now: () => number,
): (sale: WebhookSale) => Promise<WebhookStoreResult> {
  return async (sale) => {
    const stored = await storeWebhookSale(db, sale, now());
    if (stored.kind !== "stored") return stored;
    if (stored.milestoneError !== undefined)
      log.error(
        `milestones could not be evaluated after wifi sale ${stored.saleId}: ${stored.milestoneError}`,
      );
    events.onChange?.();
    pokeSummary();
    events.onWebhookSale?.(stored.result);
    return stored;
  };
}

/** Logs when writes start and stop failing (each failed poll logs its own line), and tells `events`. */
function storageReporter(log: FastifyBaseLogger, events: IngestEvents) {
  let failing: WriteFailure | undefined;
  return (failure: WriteFailure | undefined) => {
    if (failure && !failing)
      log.error(`database writes are failing: ${failure.error}; nothing new is stored until they succeed`);
    else if (!failure && failing)
      log.info(
        `database writes succeed again (they failed for ${formatDuration(Date.now() - failing.since)})`,
      );
    failing = failure;
    events.onStorage?.(failure);
  };
}
