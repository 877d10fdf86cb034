/**
 * Live push across instances (issue 18): LISTEN on one dedicated connection, never a pooled one (a
 * pool hands connections back and forth, and a LISTEN lives and dies with its connection). When that
 * connection drops (PostgreSQL restarted, the network cut, an operator's pg_terminate_backend), the
 * notifications sent meanwhile are lost for good: the notifier reconnects with capped, jittered backoff
 * and then calls onResync, so the caller re-reads from the database what it may have missed.
 *
 * It never throws at the process: connection errors are logged and retried, a listener's exception is
 * logged. stop() leaves no timer and no socket.
 */
import type { FastifyBaseLogger } from "fastify";
import type { QueryExecutorProvider } from "kysely";
import pg from "pg";
import {
  type ClusterMessage,
  checkChannel,
  decodeMessage,
  LIVE_CHANNEL,
  notifyVia,
} from "./notify-message.js";
import { reconnectDelayMs } from "./reconnect-delay.js";

export interface ClusterNotifierOptions {
  /** DATABASE_URL. */
  url: string;
  /** This instance's id, sent with every message; its own messages are not handed back to it… */
  instanceId: string;
  /** …unless this is set: then every message comes, in commit order. */
  hearOwn?: boolean;
  /** One channel for every kind; the default suits one dashboard per database. */
  channel?: string;
  /** Each message from another instance (and this one's with `hearOwn`), in commit order. */
  onMessage(message: ClusterMessage): void;
  /** After listening again following a time without: re-read what may have been missed. */
  onResync(): void | Promise<void>;
  /** Told when listening starts, and when it stops or an attempt fails (with why): /v1/health's state. */
  onState?(listening: boolean, reason?: string): void;
  log: Pick<FastifyBaseLogger, "info" | "warn" | "error">;
  /** Reconnection waits: the first, and the cap (both before jitter). */
  reconnect?: { initialMs: number; maxMs: number };
  /**
   * A connection cut without a word (a network partition) answers nothing: a `select 1` this often
   * unanswered by the next one counts as a drop. TCP keepalive alone would take minutes.
   */
  pingMs?: number;
  random?: () => number;
}

export class ClusterNotifier {
  private readonly channel: string;
  private client: pg.Client | undefined;
  private listening = false;
  private connecting = false;
  private running = false;
  private attempts = 0;
  private retry: NodeJS.Timeout | undefined;
  private ping: NodeJS.Timeout | undefined;
  private pingInFlight = false;
  /**
   * The statement running on the listening connection: the next waits for it. pg queues a second
   * query itself, but warns that pg 9 will refuse it (a `merchant` notice sent while a ping runs).
   */
  private statement: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ClusterNotifierOptions) {
    this.channel = checkChannel(opts.channel ?? LIVE_CHANNEL);
  }

  /** True while the LISTEN connection is up: what /v1/health can report. */
  get connected(): boolean {
    return this.listening;
  }

  /**
   * Connects and listens; resolves after the first attempt whatever its outcome (false: it keeps
   * retrying in the background, and calls onResync once it listens). The caller reads its starting
   * state from the database itself, so a first attempt that succeeds calls no onResync.
   */
  async start(): Promise<boolean> {
    if (this.running) return this.listening;
    this.running = true;
    if (await this.connect()) return true;
    this.scheduleRetry();
    return false;
  }

  /** Stops listening and retrying; resolves once the connection is closed. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retry);
    this.retry = undefined;
    const client = this.client;
    this.discard();
    if (client) await endQuietly(client);
  }

  /**
   * Sends on the listening connection, outside any transaction (a change already committed). False
   * when not connected: the receivers then catch up on their own resync, or PostgreSQL is down.
   */
  async notify(kind: string, payload: unknown): Promise<boolean> {
    const client = this.client;
    if (!client || !this.listening) return false;
    try {
      await this.inTurn(() =>
        notifyVia(client, this.channel, { kind, payload, origin: this.opts.instanceId }),
      );
      return true;
    } catch (e) {
      if (e instanceof RangeError) throw e;
      return false;
    }
  }

  /**
   * Sends inside the caller's transaction (a Kysely transaction or a pg client that began one): held
   * by PostgreSQL until commit, dropped on rollback. Rejects as the transaction's own statements do.
   */
  notifyIn(tx: QueryExecutorProvider | pg.ClientBase, kind: string, payload: unknown): Promise<void> {
    return notifyVia(tx, this.channel, { kind, payload, origin: this.opts.instanceId });
  }

  /** One attempt at a listening connection; never rejects. */
  private async connect(): Promise<boolean> {
    const client = new pg.Client({
      connectionString: this.opts.url,
      application_name: `live-pos-dashboard-listen-${this.opts.instanceId}`.slice(0, 63),
      connectionTimeoutMillis: 5000,
      keepAlive: true,
    });
    // Attached before connecting: an 'error' with no listener would end the process.
    client.on("error", (e) => this.dropped(client, e));
    client.on("end", () => this.dropped(client, undefined));
    client.on("notification", (n) => this.received(n.channel, n.payload));
    this.client = client;
    this.connecting = true;
    try {
      await client.connect();
      await client.query(`listen "${this.channel}"`);
    } catch (e) {
      this.opts.log.warn({ err: e, attempt: this.attempts + 1 }, "live notifications: cannot listen yet");
      this.discard();
      this.opts.onState?.(false, describe(e));
      void endQuietly(client);
      return false;
    } finally {
      this.connecting = false;
    }
    if (!this.running || this.client !== client) {
      // stop() came while connecting.
      void endQuietly(client);
      return false;
    }
    this.listening = true;
    this.attempts = 0;
    this.opts.onState?.(true);
    this.ping = setInterval(() => this.checkAlive(client), this.opts.pingMs ?? 10_000);
    return true;
  }

  private received(channel: string, payload: string | undefined): void {
    if (channel !== this.channel || payload === undefined) return;
    const message = decodeMessage(payload);
    if (!message) {
      this.opts.log.warn("live notifications: unreadable message ignored");
      return;
    }
    if (message.origin === this.opts.instanceId && !this.opts.hearOwn) return;
    try {
      this.opts.onMessage(message);
    } catch (e) {
      this.opts.log.error({ err: e, kind: message.kind }, "live notification handler failed");
    }
  }

  /** The connection ended or failed: forget it and, unless stopping, listen again after a wait. */
  private dropped(client: pg.Client, e: unknown): void {
    // A failure while connecting is connect()'s to handle; one of an old client is over already.
    if (this.connecting || client !== this.client) return;
    this.discard();
    void endQuietly(client);
    if (!this.running) return;
    this.opts.log.warn({ err: e }, "live notifications: connection lost; reconnecting");
    this.opts.onState?.(false, e === undefined ? "the connection was closed" : describe(e));
    this.scheduleRetry();
  }

  private checkAlive(client: pg.Client): void {
    if (this.pingInFlight) {
      this.dropped(client, new Error(`no answer to a ping within ${this.opts.pingMs ?? 10_000} ms`));
      return;
    }
    this.pingInFlight = true;
    this.inTurn(() => client.query("select 1")).then(
      () => {
        this.pingInFlight = false;
      },
      (e: unknown) => this.dropped(client, e),
    );
  }

  private scheduleRetry(): void {
    if (!this.running || this.retry) return;
    const { initialMs, maxMs } = this.opts.reconnect ?? { initialMs: 250, maxMs: 10_000 };
    const wait = reconnectDelayMs(this.attempts++, initialMs, maxMs, this.opts.random);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.reconnect();
    }, wait);
  }

  private async reconnect(): Promise<void> {
    if (!this.running) return;
    if (!(await this.connect())) {
      this.scheduleRetry();
      return;
    }
    this.opts.log.info("live notifications: listening again; catching up from the database");
    try {
      await this.opts.onResync();
    } catch (e) {
      this.opts.log.error({ err: e }, "live notifications: catching up failed");
    }
  }

  /** Runs `work` on the listening connection once the statement before it has settled. */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.statement.then(work, work);
    this.statement = result.catch(() => undefined);
    return result;
  }

  /** Forgets the current connection and its ping; the caller ends the client. */
  private discard(): void {
    // A new connection owes nothing to a statement stuck on the old one (ended below by the caller).
    this.statement = Promise.resolve();
    clearInterval(this.ping);
    this.ping = undefined;
    this.pingInFlight = false;
    this.listening = false;
    this.client = undefined;
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** How long a goodbye to the server may take before the socket is simply closed. */
const END_GRACE_MS = 2000;

/**
 * Ends a client, never rejecting. pg cuts a client with a query outstanding (an unanswered ping) at
 * once; an idle one says goodbye first, which a silently cut connection would never answer: after a
 * grace its socket is destroyed, so that stop() neither hangs nor leaves a socket behind.
 */
async function endQuietly(client: pg.Client): Promise<void> {
  let grace: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    grace = setTimeout(() => resolve(true), END_GRACE_MS);
  });
  const ended = client.end().then(
    () => false,
    () => false,
  );
  try {
    if (await Promise.race([ended, timedOut])) destroySocket(client);
  } finally {
    clearTimeout(grace);
  }
}

/** pg has no public way to drop a connection without its goodbye; its socket is `connection.stream`. */
function destroySocket(client: pg.Client): void {
  const inner = client as unknown as { connection?: { stream?: { destroy(): void } } };
  inner.connection?.stream?.destroy();
}
