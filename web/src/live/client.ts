// The live feed: wraps EventSource (/v1/stream), tracks the connection status, falls back to
// polling the REST API every 5 s when the stream keeps failing (or does not exist), keeps trying
// the stream again, dedupes sales and refetches everything on `reset`.
//
// Reconnection and Last-Event-ID: on a transient error the browser's EventSource reconnects by itself
// and sends Last-Event-ID; this client leaves such a source alone (it only counts the error). Only when
// it replaces the EventSource (the browser gave up, or after polling) is continuity lost: then the
// first `open` of the new source triggers a REST refetch.
import type { EventSettings, MilestoneTrigger, Scene, ScenesEvent } from "../api/types";
import { dataPatch, isEventSettings } from "./events";
import { Listeners } from "./listeners";
import {
  type EventSourceCtor,
  type EventSourceLike,
  type LiveApi,
  type LiveClientOptions,
  type Timing,
  timingOf,
} from "./options";
import { SeenSales, SeenTriggers } from "./seen";
import { fetchSnapshot } from "./snapshot";
import { initialLiveState, type LiveState, mergeTicker } from "./state";
import { DEFAULT_HEARTBEAT_MS, pingInterval, silenceLimitMs } from "./watchdog";

const CLOSED = 2;
const EVENTS = ["sale", "summary", "milestone", "merchant", "scenes", "event", "reset", "ping"] as const;

type Listener = (state: LiveState) => void;

export class LiveClient {
  private state: LiveState;
  private readonly listeners = new Set<Listener>();
  private readonly milestones = new Listeners<MilestoneTrigger>();
  private readonly scenes = new Listeners<Scene[]>();
  private readonly eventSettings = new Listeners<EventSettings>();
  private readonly api: LiveApi;
  private readonly Ctor: EventSourceCtor | null;
  private readonly url: string;
  private readonly tickerLimit: number;
  private readonly timing: Timing;
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
  private fetched = false; // a REST snapshot was asked for (on load it waits for the stream to open)
  /** When the current stream was last heard from (opened, or any event), and how often it pings. */
  private heardAt = 0;
  private heartbeatMs = DEFAULT_HEARTBEAT_MS;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private readonly seenSales = new SeenSales();
  private readonly seenTriggers = new SeenTriggers();

  constructor(options: LiveClientOptions) {
    this.api = options.api;
    const globalCtor = (globalThis as { EventSource?: EventSourceCtor }).EventSource;
    this.Ctor = options.EventSource === undefined ? (globalCtor ?? null) : options.EventSource;
    this.url = options.url ?? "/v1/stream";
    this.tickerLimit = options.tickerLimit ?? 20;
    this.timing = timingOf(options);
    this.retryDelay = this.timing.streamRetryMs;
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

  /** The event's settings, each time an operator changes them (the `event` event). */
  onEventSettings(listener: (settings: EventSettings) => void): () => void {
    return this.eventSettings.add(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // With a stream, the snapshot is fetched once it opens (handleOpen), not now too: once on load, not
    // twice (issue 16, 13), and after the stream is attached, so nothing published in between is missed.
    if (this.Ctor) this.openStream();
    else this.startPolling();
    this.watchdog = setInterval(() => this.checkSilence(), 1000);
  }

  stop(): void {
    this.running = false;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    this.closeSource();
    this.stopPolling();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Refetches summary, ticker and milestone triggers over REST. Concurrent calls coalesce. */
  refetch(): Promise<void> {
    this.fetched = true;
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
    this.heardAt = this.now();
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
    this.heardAt = this.now();
    this.streamErrors = 0;
    this.retryDelay = this.timing.streamRetryMs;
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
    // A stream refused from the start (too many screens, a proxy): the data is shown meanwhile.
    if (!this.fetched) void this.refetch();
    if (this.polling) {
      // A retry while polling failed: drop it and try again later.
      this.closeSource();
      this.scheduleStreamRetry();
      return;
    }
    const wasLive = this.state.status === "live";
    this.streamErrors++;
    if (this.streamErrors >= this.timing.maxStreamErrors) {
      this.closeSource();
      this.startPolling();
      return;
    }
    this.setState({ status: "reconnecting", ...(wasLive ? { freshAt: this.now() } : {}) });
    if (source.readyState === CLOSED) {
      // The browser gave up on this source (HTTP error, wrong content type): open a new one.
      this.source = null;
      this.reopenLater();
    }
    // Otherwise the browser reconnects by itself, sending Last-Event-ID: leave it alone.
  }

  private handleEvent(source: EventSourceLike, type: (typeof EVENTS)[number], event: MessageEvent): void {
    if (source !== this.source) return;
    this.heardAt = this.now();
    let data: unknown;
    try {
      data = typeof event.data === "string" && event.data ? JSON.parse(event.data) : {};
    } catch {
      return; // ignore a malformed event rather than break the screen
    }
    if (type === "ping") {
      // Only says the stream is alive: no data changed, so nothing on screen is redrawn.
      this.heartbeatMs = pingInterval(data) ?? this.heartbeatMs;
      return;
    }
    const patch: Partial<LiveState> = { freshAt: this.now() };
    if (event.lastEventId) patch.lastEventId = event.lastEventId;
    this.setState({ ...patch, ...dataPatch(type, data, this.state, this.seenSales, this.tickerLimit) });
    if (type === "milestone") this.announce(data as MilestoneTrigger);
    const scenes = type === "scenes" ? (data as ScenesEvent | null)?.scenes : undefined;
    if (Array.isArray(scenes)) this.scenes.emit(scenes);
    if (type === "event" && isEventSettings(data)) this.eventSettings.emit(data);
    if (type === "reset") {
      this.setState({ resyncs: this.state.resyncs + 1 });
      void this.refetch();
    }
  }

  /**
   * A stream that has said nothing for two heartbeats is as good as failed, though the browser still
   * holds it open (a frozen server, a stalled proxy): the screen says so and a new one is opened,
   * falling back to polling (and its offline banner) as after any stream error.
   */
  private checkSilence(): void {
    if (!this.source || this.polling || this.now() - this.heardAt <= silenceLimitMs(this.heartbeatMs)) return;
    const wasLive = this.state.status === "live";
    this.closeSource();
    this.streamErrors++;
    if (this.streamErrors >= this.timing.maxStreamErrors) {
      this.startPolling();
      return;
    }
    // The data was current when the stream was last heard from, not now.
    this.setState({ status: "reconnecting", ...(wasLive ? { freshAt: this.heardAt } : {}) });
    this.reopenLater();
  }

  private reopenLater(): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.openStream();
    }, 1000 * this.streamErrors);
  }

  private announce(trigger: MilestoneTrigger): void {
    if (this.seenTriggers.isNew(trigger)) this.milestones.emit(trigger);
  }

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
      if (this.polling && this.running && !this.pollTimer) this.schedulePoll(this.timing.pollIntervalMs);
    }, delay);
  }

  private scheduleStreamRetry(): void {
    if (this.retryTimer || !this.running) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.timing.maxStreamRetryMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.polling && !this.source) this.openStream();
    }, delay);
  }

  private async fetchOnce(): Promise<void> {
    const seen = { sales: this.seenSales, triggers: this.seenTriggers };
    const got = await fetchSnapshot(this.api, this.state.version, seen, this.tickerLimit, this.now);
    if (!this.running) return;
    for (const trigger of got.newTriggers) this.milestones.emit(trigger);
    const ticker = got.ticker && mergeTicker(this.state.ticker, got.ticker, this.tickerLimit);
    this.setState(ticker ? { ...got.patch, ticker } : got.patch);
  }

  private setState(patch: Partial<LiveState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener(this.state);
  }
}
