import type { ServerResponse } from "node:http";
import { HEARTBEAT_FRAME, sseFrame } from "./frame.js";

export type LiveEvent = "sale" | "summary" | "milestone" | "merchant" | "reset";

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
   * At most one flush per this many ms (0: one per event-loop turn). A frame published when the last
   * flush is older than that goes out at the end of the turn; later ones wait for the window's end and
   * go out together. Each flush is one write to every screen, so under a burst of polls this keeps
   * writes to a few dozen a second instead of one per sale, while a lone sale is not delayed.
   */
  coalesceMs?: number;
}

/** One flush's frames as bytes: bare for HTTP/1.0 clients, as one HTTP/1.1 chunk for the others. */
interface Framed {
  raw: Buffer;
  chunked: Buffer;
}

function framed(text: string): Framed {
  const raw = Buffer.from(text);
  const chunked = Buffer.concat([Buffer.from(`${raw.length.toString(16)}\r\n`), raw, Buffer.from("\r\n")]);
  return { raw, chunked };
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
  private readonly clients = new Set<ServerResponse>();
  private readonly buffer: Buffered[] = [];
  private lastId = 0;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Frames published in this turn of the event loop, sent to every client together. */
  private outgoing: string[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushScheduled = false;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private readonly opts: Required<LiveHubOptions>;
  droppedSlowClients = 0;

  constructor(opts: LiveHubOptions) {
    this.opts = {
      replayBuffer: 1000,
      heartbeatMs: 15_000,
      maxBufferedBytes: 1 << 20,
      retryMs: 2000,
      coalesceMs: 0,
      ...opts,
    };
  }

  get clientCount(): number {
    return this.clients.size;
  }

  start(): void {
    this.heartbeat ??= setInterval(() => this.broadcast(HEARTBEAT_FRAME), this.opts.heartbeatMs);
  }

  /** Ends every stream (shutdown) so that the HTTP server can close. */
  stop(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    this.flush();
    for (const res of this.clients) res.end();
    this.clients.clear();
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
    // Frames still waiting for this turn's flush are in the replay buffer already: send them to the
    // others first, so a resuming client gets them once, from the replay.
    this.flush();
    res.writeHead(200, {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.socket?.setNoDelay(true);
    res.write(`retry: ${this.opts.retryMs}\n: connected\n\n`);
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
    if (lastEventId !== undefined) this.replay(res, lastEventId);
  }

  publish(event: LiveEvent, data: unknown): number {
    const id = ++this.lastId;
    const frame = sseFrame(id, event, data);
    this.buffer.push({ id, frame });
    if (this.buffer.length > this.opts.replayBuffer) this.buffer.shift();
    this.broadcast(frame);
    return id;
  }

  private replay(res: ServerResponse, lastEventId: string): void {
    const last = /^\d+$/.test(lastEventId) ? Number(lastEventId) : Number.NaN;
    const oldest = this.buffer[0]?.id ?? this.lastId + 1;
    // Unknown, from another process life (ahead of us), or older than the buffer: the client must refetch.
    if (Number.isNaN(last) || last > this.lastId || last < oldest - 1) {
      this.write(res, sseFrame(this.lastId, "reset", {}));
      return;
    }
    for (const b of this.buffer) if (b.id > last) this.write(res, b.frame);
  }

  /**
   * A poll publishes up to a hundred sales at once; written one by one that is a hundred writes (and
   * encodings) per client, 200,000 for 2,000 screens. Frames of one event-loop turn (or of the
   * `coalesceMs` window) go out as one buffer, encoded once, one write per client.
   */
  private broadcast(frame: string): void {
    this.outgoing.push(frame);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const wait = this.lastFlushAt + this.opts.coalesceMs - performance.now();
    if (wait >= 1) this.flushTimer = setTimeout(() => this.flush(), wait);
    else setImmediate(() => this.flush());
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.flushScheduled = false;
    if (this.outgoing.length === 0) return;
    this.lastFlushAt = performance.now();
    const text = this.outgoing.join("");
    this.outgoing = [];
    const frames = framed(text);
    for (const res of this.clients) this.write(res, frames);
  }

  private write(res: ServerResponse, frames: string | Framed): void {
    if (res.writableLength > this.opts.maxBufferedBytes) {
      // It stopped reading; holding its backlog would grow memory with every sale.
      this.droppedSlowClients++;
      this.clients.delete(res);
      res.destroy();
      return;
    }
    if (typeof frames === "string") {
      res.write(frames);
      return;
    }
    // Straight to the socket, with the chunk framing the response would add (built once for all
    // clients): a write through the response costs a cork, three writes and a tick per client, and at
    // 2,000 screens that was most of the time between the first screen's receipt and the last's.
    const socket = res.socket;
    // No socket yet (a pipelined request still behind another): the response buffers it, framed itself.
    if (!socket) res.write(frames.raw);
    else if (!socket.destroyed) socket.write(res.chunkedEncoding ? frames.chunked : frames.raw);
  }
}
