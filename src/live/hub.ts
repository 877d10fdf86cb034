import type { ServerResponse } from "node:http";
import type { LiveEventName, LiveEvents } from "../contract/index.js";
import { FanOut } from "./fanout.js";
import { heartbeatFrame, sseFrame } from "./frame.js";

export interface LiveHubOptions {
  maxClients: number;
  /** Events kept for clients that reconnect with Last-Event-ID. */
  replayBuffer?: number;
  heartbeatMs?: number;
  /** A client whose unsent output grows past this is dropped instead of buffered without bound. */
  maxBufferedBytes?: number;
  /** Reconnection delay suggested to browsers. */
  retryMs?: number;
  /**
   * At most one round of writes to every screen starts per this many ms (0: one per event-loop turn;
   * see FanOut). A frame published when the last round started longer ago goes out at the end of the
   * turn; later ones wait for the window's end and go out together, so a burst of polls costs a few
   * dozen writes per screen a second instead of one per sale, while a lone sale is not delayed.
   */
  coalesceMs?: number;
  /**
   * The id before the first event (0). Instances sharing a database each start at a random one, so
   * that a client resuming on another instance with an id of the first is told to reset (its id is
   * outside this hub's range) instead of being replayed this hub's events after an unrelated number.
   */
  firstId?: number;
}

interface Buffered {
  id: number;
  frame: string;
}

/**
 * Fans events out to every connected stream. Ids rise for the process's life; a reconnecting client
 * gets what it missed from a bounded buffer, or a `reset` telling it to refetch over REST.
 */
export class LiveHub {
  private readonly buffer: Buffered[] = [];
  private lastId = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly clients: FanOut;
  private readonly opts: Required<LiveHubOptions>;
  /** Events published to every stream, by name, heartbeats included (the metrics read it). */
  readonly published = new Map<string, number>();

  constructor(opts: LiveHubOptions) {
    this.opts = {
      replayBuffer: 1000,
      heartbeatMs: 15_000,
      maxBufferedBytes: 1 << 20,
      retryMs: 2000,
      coalesceMs: 0,
      firstId: 0,
      ...opts,
    };
    this.lastId = this.opts.firstId;
    this.clients = new FanOut({
      coalesceMs: this.opts.coalesceMs,
      maxBufferedBytes: this.opts.maxBufferedBytes,
    });
  }

  /** Clients dropped because they stopped reading. */
  get droppedSlowClients(): number {
    return this.clients.dropped;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  start(): void {
    const frame = heartbeatFrame(this.opts.heartbeatMs);
    this.heartbeat ??= setInterval(() => {
      this.count("ping");
      this.clients.push(frame);
    }, this.opts.heartbeatMs);
  }

  /** Ends every stream (shutdown) so that the HTTP server can close. */
  stop(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.clients.endAll();
  }

  canAccept(): boolean {
    return this.clients.size < this.opts.maxClients;
  }

  /**
   * Starts streaming to `res` (already hijacked from the framework), first replaying what a client
   * resuming from `lastEventId` missed.
   */
  attach(
    res: ServerResponse,
    headers: Record<string, string | number | string[]>,
    lastEventId?: string,
  ): void {
    res.writeHead(200, {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.socket?.setNoDelay(true);
    // A stream may be quiet for longer than CONNECTION_TIMEOUT (the idle bound meant for requests and
    // answers): it is long-lived by design. A reader that stops is dropped by the fan-out's byte cap.
    res.socket?.setTimeout(0);
    res.write(`retry: ${this.opts.retryMs}\n: connected\n\n`);
    // Frames published but not yet written to everyone are in the replay buffer already: a resuming
    // client gets them once, from the replay, and the fan-out only what is published from now on.
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
    if (lastEventId !== undefined) this.replay(res, lastEventId);
  }

  /** Sends `data` as `event` to every stream; the contract's LiveEvents says what data each event carries. */
  publish<E extends LiveEventName>(event: E, data: LiveEvents[E]): number {
    const id = ++this.lastId;
    this.count(event);
    const frame = sseFrame(id, event, data);
    this.buffer.push({ id, frame });
    if (this.buffer.length > this.opts.replayBuffer) this.buffer.shift();
    this.clients.push(frame);
    return id;
  }

  private count(event: string): void {
    this.published.set(event, (this.published.get(event) ?? 0) + 1);
  }

  private replay(res: ServerResponse, lastEventId: string): void {
    const last = /^\d+$/.test(lastEventId) ? Number(lastEventId) : Number.NaN;
    const oldest = this.buffer[0]?.id ?? this.lastId + 1;
    // Unknown, from another process life or instance (outside our range), or older than the buffer:
    // the client must refetch.
    if (Number.isNaN(last) || last > this.lastId || last < oldest - 1) {
      const reset: LiveEvents["reset"] = {};
      res.write(sseFrame(this.lastId, "reset", reset));
      return;
    }
    for (const b of this.buffer) if (b.id > last) res.write(b.frame);
  }
}
