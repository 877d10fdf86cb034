import type { ServerResponse } from "node:http";

export interface FanOutOptions {
  /** At most one round started per this many ms (0: one per event-loop turn). */
  coalesceMs: number;
  /** A client whose unsent output grows past this is dropped instead of buffered without bound. */
  maxBufferedBytes: number;
  /** Clients written between two yields to the event loop. */
  sliceSize?: number;
}

/**
 * About 1.3 ms of writes between two yields. In the push benchmark (2,000 screens, 4 runs each) the
 * p99 was 115-145 ms without yielding, 69-91 ms with 250 and 57-82 ms with 100: a finished poll waits
 * at most one slice before its sales join the round.
 */
const DEFAULT_SLICE = 100;

/** Some frames as bytes: bare for HTTP/1.0 clients, as one HTTP/1.1 chunk for the others. */
interface Encoded {
  raw: Buffer;
  chunked: Buffer;
}

/**
 * Writes frames to every stream in rounds. Each round visits every client once and writes, in one
 * write, every frame it has not had yet. A write to a socket costs about 13 µs here (mostly the
 * kernel's loopback path), so a round over 2,000 screens takes about 26 ms: it yields to the event
 * loop every `sliceSize` clients, so requests and finished polls are served meanwhile, and frames
 * published during a round still reach the clients it has not visited yet, in that same round. The
 * clients it had already visited get them in the next round. Each client gets every frame once, in order.
 */
export class FanOut {
  /** Client → sequence number of the last frame written to it. */
  private readonly sent = new Map<ServerResponse, number>();
  /** Frames some client has not had yet; frames[i] has sequence number base + i + 1. */
  private frames: string[] = [];
  private base = 0;
  /** Bytes of the frames after a sequence number, up to the last one, shared by the clients at that point. */
  private encoded = new Map<number, Encoded>();
  private round: { clients: Iterator<ServerResponse>; lastAtStart: number } | undefined;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private lastRoundAt = Number.NEGATIVE_INFINITY;
  dropped = 0;

  constructor(private readonly opts: FanOutOptions) {}

  get size(): number {
    return this.sent.size;
  }

  /** From now on `res` gets every frame pushed; earlier ones reach it by replay, if at all. */
  add(res: ServerResponse): void {
    this.sent.set(res, this.last);
  }

  delete(res: ServerResponse): void {
    this.sent.delete(res);
  }

  push(frame: string): void {
    this.frames.push(frame);
    this.encoded.clear();
    // A round in progress takes it to the clients it has not visited yet, and schedules the next.
    if (!this.round) this.schedule();
  }

  /** Writes everything waiting to every client now (shutdown). */
  flushNow(): void {
    clearTimeout(this.timer);
    this.scheduled = false;
    this.round = undefined;
    for (const res of [...this.sent.keys()]) this.catchUp(res);
    this.forgetDelivered();
  }

  /** Ends every stream and forgets it. */
  endAll(): void {
    this.flushNow();
    for (const res of this.sent.keys()) res.end();
    this.sent.clear();
  }

  private get last(): number {
    return this.base + this.frames.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastRoundAt + this.opts.coalesceMs - performance.now();
    if (wait >= 1) this.timer = setTimeout(this.startRound, wait);
    else setImmediate(this.startRound);
  }

  private readonly startRound = (): void => {
    if (!this.scheduled) return;
    this.scheduled = false;
    this.timer = undefined;
    this.lastRoundAt = performance.now();
    this.round = { clients: this.sent.keys(), lastAtStart: this.last };
    this.continueRound();
  };

  private continueRound(): void {
    const round = this.round;
    if (!round) return;
    const slice = this.opts.sliceSize ?? DEFAULT_SLICE;
    for (let i = 0; i < slice; i++) {
      const next = round.clients.next();
      if (next.done) {
        this.round = undefined;
        this.forgetDelivered();
        // Frames pushed during the round missed the clients visited before them.
        if (this.last > round.lastAtStart) this.schedule();
        return;
      }
      this.catchUp(next.value);
    }
    setImmediate(() => this.continueRound());
  }

  private catchUp(res: ServerResponse): void {
    const from = this.sent.get(res);
    if (from === undefined || from >= this.last) return;
    this.sent.set(res, this.last);
    if (res.writableLength > this.opts.maxBufferedBytes) {
      // It stopped reading; holding its backlog would grow memory with every sale.
      this.dropped++;
      this.sent.delete(res);
      res.destroy();
      return;
    }
    const bytes = this.bytesAfter(from);
    // Straight to the socket with the chunk framing the response would add, built once for all
    // clients: a write through the response costs a cork, three writes and a tick per client.
    const socket = res.socket;
    // No socket yet (a pipelined request still behind another): the response buffers it, framed itself.
    if (!socket) res.write(bytes.raw);
    else if (!socket.destroyed) socket.write(res.chunkedEncoding ? bytes.chunked : bytes.raw);
  }

  private bytesAfter(from: number): Encoded {
    let bytes = this.encoded.get(from);
    if (!bytes) {
      const raw = Buffer.from(this.frames.slice(from - this.base).join(""));
      const chunked = Buffer.concat([
        Buffer.from(`${raw.length.toString(16)}\r\n`),
        raw,
        Buffer.from("\r\n"),
      ]);
      bytes = { raw, chunked };
      this.encoded.set(from, bytes);
    }
    return bytes;
  }

  /** Drops the frames every client has had. */
  private forgetDelivered(): void {
    let upTo = this.last;
    for (const seq of this.sent.values()) if (seq < upTo) upTo = seq;
    if (upTo === this.base) return;
    this.frames = this.frames.slice(upTo - this.base);
    this.base = upTo;
    this.encoded.clear();
  }
}
