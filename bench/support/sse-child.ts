/**
 * Holds many /v1/stream connections in one process (forked by sse.ts) and timestamps, per client,
 * the arrival of the sales the parent asks it to watch. Arguments: stream URL, client count.
 *
 * Every frame of every client passes through here, so the parser only looks closer at `sale`
 * frames whose sale_id is being watched.
 */
import { type ClientRequest, request } from "node:http";
import { monoMs, serveRequests } from "./procs.js";

const url = process.argv[2] as string;
const count = Number(process.argv[3]);
/** Connections not answered by then are abandoned and counted as failed ("timeout"). */
const openDeadline = performance.now() + Number(process.argv[4] ?? 60_000);
/** Opening thousands at once overflows the server's accept backlog; batches keep it honest. */
const OPEN_BATCH = 100;

interface Client {
  req: ClientRequest;
  buf: string;
  open: boolean;
  /** "merchant:sale" of watched merchants' sales → receipt time (monoMs) */
  got: Map<string, number>;
}

const clients: Client[] = [];
/**
 * Merchants whose sale frames are timestamped. A merchant is watched before its sale is added
 * upstream, so even a poll that races the refetch cannot deliver it unseen; `expect` then names the
 * sale that counts.
 */
const watchedMerchants = new Set<string>();
/** "merchant:sale" keys the parent expects every client to receive. */
const expected = new Set<string>();
let stopping = false;
let dropped = 0;
let failed = 0;
/** Why connections failed: HTTP status or socket error code → count. */
const failures: Record<string, number> = {};
const fail = (why: string) => {
  failed++;
  failures[why] = (failures[why] ?? 0) + 1;
};
const MERCHANT_ID = /"merchant_id":"([^"]*)"/;

const MERCHANT_IDS = /"merchant_id":"([^"]*)"/g;

function mentionsWatchedSale(chunk: string): boolean {
  if (watchedMerchants.size === 0 || !chunk.includes("event: sale")) return false;
  for (const m of chunk.matchAll(MERCHANT_IDS)) if (watchedMerchants.has(m[1] as string)) return true;
  return false;
}

function onFrame(c: Client, frame: string, at: number): void {
  if (!frame.includes("event: sale")) return;
  const merchant = MERCHANT_ID.exec(frame)?.[1];
  if (merchant === undefined || !watchedMerchants.has(merchant)) return;
  const data = frame.split("\n").find((l) => l.startsWith("data: "));
  if (data === undefined) return;
  const sale = JSON.parse(data.slice(6)) as { sale_id: number; merchant_id: string };
  const key = `${sale.merchant_id}:${sale.sale_id}`;
  if (!c.got.has(key)) c.got.set(key, at);
}

function connect(): Promise<void> {
  return new Promise((resolve) => {
    const c: Client = { req: undefined as unknown as ClientRequest, buf: "", open: false, got: new Map() };
    const req = request(url, { agent: false, headers: { accept: "text/event-stream" } }, (res) => {
      if (res.statusCode !== 200) {
        fail(`HTTP ${res.statusCode}`);
        res.resume();
        resolve();
        return;
      }
      c.open = true;
      clients.push(c);
      req.setTimeout(0);
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const at = monoMs();
        // Fast path: nearly every chunk is whole frames, and most name no watched merchant's sale.
        if (c.buf === "" && chunk.endsWith("\n\n") && !mentionsWatchedSale(chunk)) return;
        c.buf += chunk;
        let end = c.buf.indexOf("\n\n");
        while (end !== -1) {
          onFrame(c, c.buf.slice(0, end), at);
          c.buf = c.buf.slice(end + 2);
          end = c.buf.indexOf("\n\n");
        }
      });
      const gone = () => {
        if (c.open && !stopping) dropped++;
        c.open = false;
      };
      res.on("end", gone);
      res.on("close", gone);
      resolve();
    });
    c.req = req;
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (c.open && !stopping) dropped++;
      else if (!c.open) fail(e.code ?? e.message);
      c.open = false;
      resolve();
    });
    req.setTimeout(Math.max(1, openDeadline - performance.now()), () => {
      if (!c.open) req.destroy(Object.assign(new Error("timeout"), { code: "timeout" }));
    });
    req.end();
  });
}

for (let i = 0; i < count && performance.now() < openDeadline; i += OPEN_BATCH) {
  await Promise.all(Array.from({ length: Math.min(OPEN_BATCH, count - i) }, connect));
}

// The client's own CPU share since all streams opened: near 100 % would mean receipts queue here.
const cpuStart = process.cpuUsage();
const wallStart = performance.now();

if (clients.length + failed < count)
  failures["not tried: open deadline passed"] = count - clients.length - failed;

serveRequests({
  watch: (m) => {
    watchedMerchants.add(String(m.merchantId));
    return {};
  },
  expect: (m) => {
    expected.add(`${m.merchantId}:${m.saleId}`);
    return {};
  },
  /** Per watched sale, the receipt times of the clients that got it; and who missed any. */
  collect: () => {
    const receipts: Record<string, number[]> = {};
    for (const key of expected) receipts[key] = [];
    let missedAny = 0;
    for (const c of clients) {
      let got = 0;
      for (const key of expected) {
        const at = c.got.get(key);
        if (at === undefined) continue;
        receipts[key]?.push(at);
        got++;
      }
      if (got < expected.size) missedAny++;
    }
    const cpu = process.cpuUsage(cpuStart);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - wallStart);
    return { receipts, missedAny, dropped, open: clients.filter((c) => c.open).length, cpuShare };
  },
  stop: () => {
    stopping = true;
    for (const c of clients) c.req.destroy();
    setImmediate(() => process.exit(0));
    return {};
  },
});

process.send?.({ type: "ready", connected: clients.length, failed: count - clients.length, failures });
