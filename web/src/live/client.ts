// The live feed: wraps EventSource (/v1/stream), tracks the connection status, falls back to
// polling the REST API every 5 s when the stream keeps failing (or does not exist), keeps trying
// the stream again, dedupes sales and refetches everything on `reset`.
//
// Reconnection and Last-Event-ID: on a transient error the browser's EventSource reconnects by
// itself and sends Last-Event-ID; this client leaves such a source alone (it only counts the
// error). Only when it replaces the EventSource object (the browser gave up, or after polling)
// is continuity lost — then the first `open` of the new source triggers a REST refetch.
import type { MerchantStatus, MilestoneTrigger, Scene, ScenesEvent, Summary, TickerRow } from "../api/types";
import { Listeners } from "./listeners";
import type { EventSourceCtor, EventSourceLike, LiveApi, LiveClientOptions } from "./options";
import { SeenSales, SeenTriggers } from "./seen";
import { addSale, initialLiveState, type LiveState, mergeTicker, saleKey } from "./state";

const CLOSED = 2;
const EVENTS = ["sale", "summary", "milestone", "merchant", "scenes", "reset"] as const;

type Listener = (state: LiveState) => void;

export class LiveClient {
  private state: LiveState;
  private readonly listeners = new Set<Listener>();
  private readonly milestones = new Listeners<MilestoneTrigger>();
  private readonly scenes = new Listeners<Scene[]>();
  private readonly api: LiveApi;
  private readonly Ctor: EventSourceCtor | null;
  private readonly url: string;
  private readonly tickerLimit: number;
  private readonly pollIntervalMs: number;
  private readonly maxStreamErrors: number;
  private readonly streamRetryMs: number;
  private readonly maxStreamRetryMs: number;
  private readonly now: () => number;

  private source: EventSourceLike | null = null;
  private sourceOpened = false;
  private streamErrors = 0;
  private retryDelay: number;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private polling = false;
  private running = false;
  private inflight: Promise<void> | null = null;
  private refetchAgain = false;
  private readonly seenSales = new SeenSales();
  private readonly seenTriggers = new SeenTriggers();

  constructor(options: LiveClientOptions) {
    this.api = options.api;
    const globalCtor = (globalThis as { EventSource?: EventSourceCtor }).EventSource;
    this.Ctor = options.EventSource === undefined ? (globalCtor ?? null) : options.EventSource;
    this.url = options.url ?? "/v1/stream";
    this.tickerLimit = options.tickerLimit ?? 20;
    this.pollIntervalMs = options.pollIntervalMs ?? 5000;
    this.maxStreamErrors = options.maxStreamErrors ?? 3;
    this.streamRetryMs = options.streamRetryMs ?? 10_000;
    this.maxStreamRetryMs = options.maxStreamRetryMs ?? 60_000;
    this.retryDelay = this.streamRetryMs;
    this.now = options.now ?? Date.now;
    this.state = initialLiveState(this.Ctor !== null);
  }

  getState = (): LiveState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Milestones that happened after load: stream events, or ones found by a later REST fetch. */
  onMilestone(listener: (trigger: MilestoneTrigger) => void): () => void {
    return this.milestones.add(listener);
  }

  /** The venue playlist, each time an operator changes it (the `scenes` event). */
  onScenes(listener: (scenes: Scene[]) => void): () => void {
    return this.scenes.add(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.refetch();
    if (this.Ctor) this.openStream();
    else this.startPolling();
  }

  stop(): void {
    this.running = false;
    this.closeSource();
    this.stopPolling();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Refetches summary, ticker and milestone triggers over REST. Concurrent calls coalesce. */
  refetch(): Promise<void> {
    if (this.inflight) {
      this.refetchAgain = true;
      return this.inflight;
    }
    this.inflight = (async () => {
      try {
        do {
          this.refetchAgain = false;
          await this.fetchOnce();
        } while (this.refetchAgain && this.running);
      } finally {
        this.inflight = null;
      }
    })();
    return this.inflight;
  }

  // ---- stream ----

  private openStream(): void {
    if (!this.Ctor || !this.running) return;
    const source = new this.Ctor(this.url);
    this.source = source;
    this.sourceOpened = false;
    source.addEventListener("open", () => this.handleOpen(source));
    source.addEventListener("error", () => this.handleError(source));
    for (const type of EVENTS)
      source.addEventListener(type, (event) => this.handleEvent(source, type, event));
  }

  private closeSource(): void {
    this.source?.close();
    this.source = null;
  }

  private handleOpen(source: EventSourceLike): void {
    if (source !== this.source) return;
    const fresh = !this.sourceOpened;
    this.sourceOpened = true;
    this.streamErrors = 0;
    this.retryDelay = this.streamRetryMs;
    this.stopPolling();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setState({ status: "live", freshAt: this.now() });
    // A new EventSource has no Last-Event-ID to resume from: fill the gap over REST.
    if (fresh) {
      if (this.state.version > 0 || this.state.summary) this.setState({ resyncs: this.state.resyncs + 1 });
      void this.refetch();
    }
  }

  private handleError(source: EventSourceLike): void {
    if (source !== this.source) return;
    if (this.polling) {
      // A retry while polling failed: drop it and try again later.
      this.closeSource();
      this.scheduleStreamRetry();
      return;
    }
    const wasLive = this.state.status === "live";
    this.streamErrors++;
    if (this.streamErrors >= this.maxStreamErrors) {
      this.closeSource();
      this.startPolling();
      return;
    }
    this.setState({ status: "reconnecting", ...(wasLive ? { freshAt: this.now() } : {}) });
    if (source.readyState === CLOSED) {
      // The browser gave up on this source (HTTP error, wrong content type): open a new one.
      this.source = null;
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.openStream();
      }, 1000 * this.streamErrors);
    }
    // Otherwise the browser reconnects by itself, sending Last-Event-ID: leave it alone.
  }

  private handleEvent(source: EventSourceLike, type: (typeof EVENTS)[number], event: MessageEvent): void {
    if (source !== this.source) return;
    let data: unknown;
    try {
      data = typeof event.data === "string" && event.data ? JSON.parse(event.data) : {};
    } catch {
      return; // ignore a malformed event rather than break the screen
    }
    const patch: Partial<LiveState> = { freshAt: this.now() };
    if (event.lastEventId) patch.lastEventId = event.lastEventId;
    switch (type) {
      case "sale":
        this.applySale(data as TickerRow, patch);
        break;
      case "summary":
        patch.summary = data as Summary;
        patch.version = this.state.version + 1;
        break;
      case "merchant": {
        const m = data as MerchantStatus;
        if (m && typeof m.id === "string") patch.merchants = { ...this.state.merchants, [m.id]: m };
        break;
      }
      case "milestone":
        this.setState(patch);
        this.announce(data as MilestoneTrigger);
        return;
      case "scenes": {
        const scenes = (data as ScenesEvent | null)?.scenes;
        this.setState(patch);
        if (Array.isArray(scenes)) this.scenes.emit(scenes);
        return;
      }
      case "reset":
        patch.resyncs = this.state.resyncs + 1;
        this.setState(patch);
        void this.refetch();
        return;
    }
    this.setState(patch);
  }

  private applySale(row: TickerRow, patch: Partial<LiveState>): void {
    if (!row || typeof row.merchant_id !== "string" || typeof row.sale_id !== "number") return;
    const key = saleKey(row);
    if (this.seenSales.has(key)) return;
    this.seenSales.add(key);
    patch.ticker = addSale(this.state.ticker, row, this.tickerLimit);
    patch.version = this.state.version + 1;
  }

  private announce(trigger: MilestoneTrigger): void {
    if (this.seenTriggers.isNew(trigger)) this.milestones.emit(trigger);
  }

  // ---- polling ----

  private startPolling(): void {
    this.polling = true;
    this.setState({ status: "polling" });
    this.schedulePoll(0);
    if (this.Ctor) this.scheduleStreamRetry();
  }

  private stopPolling(): void {
    this.polling = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  private schedulePoll(delay: number): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(async () => {
      this.pollTimer = null;
      if (!this.polling || !this.running) return;
      await this.refetch();
      if (this.polling && this.running && !this.pollTimer) this.schedulePoll(this.pollIntervalMs);
    }, delay);
  }

  private scheduleStreamRetry(): void {
    if (this.retryTimer || !this.running) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.maxStreamRetryMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.polling && !this.source) this.openStream();
    }, delay);
  }

  // ---- REST ----

  private async fetchOnce(): Promise<void> {
    const [summary, ticker, triggers] = await Promise.allSettled([
      this.api.summary(),
      this.api.ticker(this.tickerLimit),
      this.api.triggers(),
    ]);
    if (!this.running) return;
    if (triggers.status === "fulfilled") {
      for (const trigger of this.seenTriggers.newInList(triggers.value)) this.milestones.emit(trigger);
    }
    const failure = [summary, ticker].find((r) => r.status === "rejected");
    if (failure) {
      const reason = (failure as PromiseRejectedResult).reason;
      this.setState({ error: reason instanceof Error ? reason.message : "Request failed" });
      return;
    }
    const patch: Partial<LiveState> = { error: null, freshAt: this.now(), version: this.state.version + 1 };
    if (summary.status === "fulfilled" && summary.value) patch.summary = summary.value;
    if (ticker.status === "fulfilled") {
      const rows = Array.isArray(ticker.value) ? ticker.value : [];
      for (const row of rows) this.seenSales.add(saleKey(row));
      patch.ticker = mergeTicker(this.state.ticker, rows, this.tickerLimit);
    }
    this.setState(patch);
  }

  private setState(patch: Partial<LiveState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener(this.state);
  }
}
