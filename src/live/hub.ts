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
   * The number before the first event (0). Instances sharing a database each start at a random one,
   * so that an id of one is never taken for an id of another's (their ranges never meet).
   */
  firstId?: number;
  /**
   * How long a client resuming from another instance's position this hub has not published yet waits
   * for it, before it is reset (0: reset at once). Instances hear each commit a few ms apart, so a
   * screen that fails over to a lagging one would otherwise refetch everything for a sale on its way.
   */
  resumeWaitMs?: number;
}

/**
 * Where a sale or milestone stands in the order every instance sharing a database publishes them
 * (commit order, live/cluster-feed.ts): `s` and the sale's row id, or `m` and the trigger's id.
 */
export type SharedPosition = `s${number}` | `m${number}`;

interface Buffered {
  id: number;
  /** The id as sent: the number, and the shared position of the last sale or milestone before it. */
  text: string;
  frame: string;
  /** Set on the frame of a sale or milestone published at that position. */
  position?: SharedPosition;
}

const EVENT_ID = /^(\d{1,16})(?:\.([sm]\d{1,16}))?$/;

/**
 * Fans events out to every connected stream. Ids rise for the process's life; a reconnecting client
 * gets what it missed from a bounded buffer, or a `reset` telling it to refetch over REST.
 *
 * On a shared database (PostgreSQL) an id also names the last shared position the client had seen
 * (`<number>.<position>`), so that a client resuming on another instance, whose numbers are unrelated,
 * gets what that instance published after the same sale or milestone: every instance publishes them
 * in the same order. A position this hub no longer holds (or never heard) gets a reset.
 */
export class LiveHub {
  private readonly buffer: Buffered[] = [];
  private lastId = 0;
  private lastText = "0";
  /** The id just before the buffer's first frame (dropped, or the first number): one to resume from. */
  private droppedText: string | undefined;
  private position: SharedPosition | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly clients: FanOut;
  /** Clients resuming after a position not heard yet (resumeWaitMs): not on the fan-out until then. */
  private readonly waiting = new Map<ServerResponse, { position: string; timer: NodeJS.Timeout }>();
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
      resumeWaitMs: 0,
      ...opts,
    };
    this.lastId = this.opts.firstId;
    this.lastText = String(this.lastId);
    this.droppedText = this.lastText;
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
    return this.clients.size + this.waiting.size;
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
    for (const [res, w] of this.waiting) {
      clearTimeout(w.timer);
      res.end();
    }
    this.waiting.clear();
  }

  canAccept(): boolean {
    return this.clientCount < this.opts.maxClients;
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
    res.on("close", () => {
      this.clients.delete(res);
      clearTimeout(this.waiting.get(res)?.timer);
      this.waiting.delete(res);
    });
    const ahead = lastEventId === undefined ? undefined : this.notHeardYet(lastEventId);
    if (ahead !== undefined) {
      const timer = setTimeout(() => this.endWait(res, false), this.opts.resumeWaitMs);
      this.waiting.set(res, { position: ahead, timer });
      return;
    }
    // Frames published but not yet written to everyone are in the replay buffer already: a resuming
    // client gets them once, from the replay, and the fan-out only what is published from now on.
    this.clients.add(res);
    if (lastEventId !== undefined) this.replay(res, lastEventId);
  }

  /**
   * The position another instance's id names, when this hub cannot resume from it yet and may hear it
   * soon (resumeWaitMs): undefined when it can resume now, or must reset (one of its own numbers).
   */
  private notHeardYet(lastEventId: string): string | undefined {
    const m = EVENT_ID.exec(lastEventId);
    if (this.opts.resumeWaitMs <= 0 || !m?.[2] || this.resumeAt(lastEventId) !== undefined) return undefined;
    const last = Number(m[1]);
    return last > this.opts.firstId && last <= this.lastId ? undefined : m[2];
  }

  /** A waiting client joins the fan-out: after the position it saw (`heard`), or with a reset. */
  private endWait(res: ServerResponse, heard: boolean): void {
    const w = this.waiting.get(res);
    if (!w) return;
    clearTimeout(w.timer);
    this.waiting.delete(res);
    if (!heard) res.write(sseFrame(this.lastText, "reset", {} satisfies LiveEvents["reset"]));
    this.clients.add(res);
  }

  /**
   * Sends `data` as `event` to every stream; the contract's LiveEvents says what data each event
   * carries. `shared`: a sale or milestone of a shared database, at its position in the order every
   * instance publishes them, or `null` when published out of that order (a catch-up): the ids that
   * follow then name no position until the next one in order, so that no resume elsewhere starts
   * from a point whose past differs between instances.
   */
  publish<E extends LiveEventName>(event: E, data: LiveEvents[E], shared?: SharedPosition | null): number {
    const id = ++this.lastId;
    if (shared !== undefined) this.position = shared ?? undefined;
    const text = this.position === undefined ? String(id) : `${id}.${this.position}`;
    this.lastText = text;
    this.count(event);
    const frame = sseFrame(text, event, data);
    this.buffer.push({ id, text, frame, ...(shared ? { position: shared } : {}) });
    if (this.buffer.length > this.opts.replayBuffer) this.droppedText = this.buffer.shift()?.text;
    this.clients.push(frame);
    // Clients waiting for this position saw this frame elsewhere: they get what follows it.
    if (shared) for (const [res, w] of this.waiting) if (w.position === shared) this.endWait(res, true);
    return id;
  }

  private count(event: string): void {
    this.published.set(event, (this.published.get(event) ?? 0) + 1);
  }

  private replay(res: ServerResponse, lastEventId: string): void {
    const from = this.resumeAt(lastEventId);
    if (from === undefined) {
      const reset: LiveEvents["reset"] = {};
      res.write(sseFrame(this.lastText, "reset", reset));
      return;
    }
    for (let i = from; i < this.buffer.length; i++) res.write((this.buffer[i] as Buffered).frame);
  }

  /**
   * The buffer index to replay from for a client that last saw `lastEventId`, or undefined when it
   * must refetch: an id this hub never gave (another process life, garbage) that names no shared
   * position it holds, or one older than the buffer.
   */
  private resumeAt(lastEventId: string): number | undefined {
    const m = EVENT_ID.exec(lastEventId);
    if (!m) return undefined;
    const last = Number(m[1]);
    const oldest = this.buffer[0]?.id ?? this.lastId + 1;
    // One of ours: the number is in range and the whole id is the one this hub gave it.
    if (last === this.lastId && lastEventId === this.lastText) return this.buffer.length;
    if (last === oldest - 1 && lastEventId === this.droppedText) return 0;
    if (last >= oldest && last < this.lastId && this.buffer[last - oldest]?.text === lastEventId)
      return last - oldest + 1;
    // Another instance's: resume after the same sale or milestone here.
    const position = m[2];
    if (position === undefined) return undefined;
    for (let i = this.buffer.length - 1; i >= 0; i--) if (this.buffer[i]?.position === position) return i + 1;
    return undefined;
  }
}
