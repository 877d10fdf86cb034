import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { PollOutcome } from "../ingest/poll-types.js";
import type { PollResult } from "../store/poll-transaction.js";
import { takeUpstreamBytes } from "../upstream/byte-meter.js";
import { HttpRequestMetrics } from "./http-metrics.js";
import { PollStaleness, type StalenessSource } from "./staleness.js";

export const METRICS_PREFIX = "livepos_";

/** What the metrics read when scraped, rather than being told of each change (none on a hot path). */
export interface MetricsSources extends StalenessSource {
  streamClients(): number;
  /** Events published to the stream, by name, since the start (the hub's counts). */
  streamEvents(): ReadonlyMap<string, number>;
  /** The read cache's counts since the start. */
  cache(): { hits: number; misses: number };
}

const POLL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The service's Prometheus metrics, one registry per service (the process's defaults in a registry of
 * their own, shared by every service in the process). Polls are counted from their outcomes, which the
 * ingest thread already sends to this thread; upstream bytes ride along with them.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly polls: Counter<"source" | "outcome">;
  private readonly pollSeconds: Histogram<"source">;
  private readonly sales: Counter<"source">;
  private readonly skipped: Counter<"source">;
  private readonly bytes: Counter<"source">;
  private readonly triggers: Counter;
  private readonly http = new HttpRequestMetrics();
  private readonly staleness: PollStaleness;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name: METRICS_PREFIX + name, help, labelNames, registers });
    this.polls = counter("polls_total", "Polls finished, by source and outcome (ok, failed)", [
      "source",
      "outcome",
    ]);
    this.pollSeconds = new Histogram({
      name: `${METRICS_PREFIX}poll_duration_seconds`,
      help: "Time from the start of a poll to its outcome, by source",
      labelNames: ["source"],
      buckets: POLL_BUCKETS,
      registers,
    });
    this.sales = counter("sales_stored_total", "Sales stored, by source (polls and webhooks)", ["source"]);
    this.skipped = counter("rows_skipped_total", "Upstream rows skipped as unusable, by source", ["source"]);
    this.bytes = counter("upstream_bytes_total", "Bytes of upstream answers read, by source", ["source"]);
    this.triggers = counter("milestone_triggers_total", "Milestones triggered", []);
    this.scraped(sources);
    this.staleness = new PollStaleness(sources, registers);
  }

  /** The gauges and counters read at scrape time from the hub, the cache and the byte meter. */
  private scraped(sources: MetricsSources): void {
    const registers = [this.registry];
    new Gauge({
      name: `${METRICS_PREFIX}stream_clients`,
      help: "Open /v1/stream connections",
      registers,
      collect() {
        this.set(sources.streamClients());
      },
    });
    new Counter({
      name: `${METRICS_PREFIX}stream_events_sent_total`,
      help: "Events published to every open stream, by event name (ping: heartbeats)",
      labelNames: ["event"],
      registers,
      collect() {
        this.reset();
        for (const [event, n] of sources.streamEvents()) this.inc({ event }, n);
      },
    });
    const cacheCounter = (
      name: string,
      help: string,
      read: (c: { hits: number; misses: number }) => number,
    ) =>
      new Counter({
        name: METRICS_PREFIX + name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read(sources.cache()));
        },
      });
    cacheCounter("read_cache_hits_total", "Dashboard reads answered from the read cache", (c) => c.hits);
    cacheCounter("read_cache_misses_total", "Dashboard reads that waited for the database", (c) => c.misses);
  }

  /** A finished poll, from the ingest thread (or inline ingest). */
  pollOutcome(o: PollOutcome): void {
    this.polls.inc({ source: o.source, outcome: o.kind });
    this.pollSeconds.observe({ source: o.source }, o.durationMs / 1000);
    if (o.kind === "ok") {
      this.skipped.inc({ source: o.source }, o.skippedCount);
      this.staleness.succeeded(o.merchantId, o.polledAt);
    }
    if (o.result) this.stored(o.source, o.result);
  }

  /** A webhook's sale was stored (its source is on the sale). */
  webhookSale(result: PollResult): void {
    const source = result.newSales[0]?.source;
    if (source !== undefined) this.stored(source, result);
  }

  upstreamBytes(bySource: Record<string, number>): void {
    for (const [source, n] of Object.entries(bySource)) this.bytes.inc({ source }, n);
  }

  /** One answered request: its route's pattern (never the URL), status and time in ms. */
  httpRequest(method: string, route: string, status: number, ms: number): void {
    this.http.observe(method, route, status, ms);
  }

  /** The exposition: the process's defaults, then the service's own. */
  async exposition(): Promise<string> {
    this.upstreamBytes(takeUpstreamBytes());
    const [own, defaults] = await Promise.all([this.registry.metrics(), processRegistry().metrics()]);
    return `${defaults}\n${own}\n${this.http.render()}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private stored(source: string, result: PollResult): void {
    if (result.storedCount > 0) this.sales.inc({ source }, result.storedCount);
    if (result.triggers.length > 0) this.triggers.inc(result.triggers.length);
  }
}

let processMetrics: Registry | undefined;

/**
 * prom-client's process defaults (CPU, memory, event loop lag, GC, handles), prefixed: one registry per
 * process, since they describe the process and each collection starts observers that are never stopped.
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics, prefix: METRICS_PREFIX });
  }
  return processMetrics;
}
