/**
 * The ingest thread: the one owner of the database. It polls upstream, stores every sale on the
 * writer connection, applies operators' changes on that same connection (one writer, so they queue
 * behind a poll's transaction instead of blocking on a lock), and answers reads on a read-only
 * connection. Parsing and storing polls here keeps the HTTP thread free to answer screens.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createLogger } from "../log.js";
import { runChange, runRead } from "../store/access.js";
import { type OpenedDatabase, openDatabase, openReadConnection } from "../store/db.js";
import { getMerchantCredentials } from "../store/merchants.js";
import { createUpstreamClient } from "../upstream/client.js";
import { Poller } from "./poller.js";
import type { FromIngestThread, IngestThreadConfig, ToIngestThread } from "./thread-protocol.js";

/** After the first cycle, polls start evenly over this part of the poll interval. */
const POLL_SPREAD = 0.5;

const port = parentPort;
if (!port) throw new Error("ingest/thread.js runs as a worker thread only");
const send = (m: FromIngestThread) => port.postMessage(m);
const config = workerData as IngestThreadConfig;
const log = await createLogger(config);

let writer: OpenedDatabase;
let reader: ReturnType<typeof openReadConnection> | undefined;
try {
  writer = await openDatabase(config.dbPath);
  // A second connection cannot see a `:memory:` database; there the writer answers reads too.
  if (config.dbPath !== ":memory:") reader = openReadConnection(config.dbPath);
} catch (e) {
  send({ kind: "failed", error: (e as Error).message });
  process.exit(1);
}

const poller = new Poller({
  db: writer.db,
  fetchMerchant: createUpstreamClient({ baseUrl: config.sourceBaseUrl, timeoutMs: config.httpTimeoutMs }),
  intervalMs: config.pollIntervalMs,
  concurrency: config.pollConcurrency,
  log,
  onOutcome: (outcome) => send({ kind: "outcome", outcome }),
  onCycleEnd: writer.optimize,
  stopGraceMs: Math.min(config.httpTimeoutMs, 10_000),
  // Every merchant is still polled once per interval, but not all in the same instant.
  spreadFraction: POLL_SPREAD,
});

// A bad call (unknown name, bad arguments) is answered as an error; it never ends the thread.
const answer = (id: number, work: () => Promise<unknown>) =>
  Promise.resolve()
    .then(work)
    .then(
      (result) => send({ kind: "result", id, result }),
      (e: unknown) => send({ kind: "error", id, error: e instanceof Error ? e.message : String(e) }),
    );

let stopping = false;
port.on("message", (m: ToIngestThread) => {
  switch (m.kind) {
    case "read":
      answer(m.id, () => runRead(reader?.db ?? writer.db, m.name, m.args as never));
      return;
    case "change":
      answer(m.id, () => runChange(writer.db, m.name, m.args as never));
      return;
    case "startPolling":
      if (!stopping) poller.start();
      return;
    case "refetch":
      answer(m.id, async () => {
        // On the read connection: the writer's may be inside a long first poll's transaction.
        const known = (await getMerchantCredentials(reader?.db ?? writer.db, m.merchantId)) !== undefined;
        if (known) poller.refetch(m.merchantId);
        return known;
      });
      return;
    case "stop":
      if (stopping) return;
      stopping = true;
      void stop();
      return;
  }
});

async function stop(): Promise<void> {
  try {
    await poller.stop();
    await reader?.close();
    await writer.close();
  } catch (e) {
    log.error({ err: e }, "ingest thread did not close cleanly");
  }
  log.flush();
  send({ kind: "stopped" });
  port?.close();
}

send({ kind: "ready" });
