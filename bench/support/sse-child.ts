/**
 * Holds many /v1/stream connections in one process (forked by sse.ts) and timestamps, per client,
 * the arrival of the sales the parent asks it to watch. Arguments: stream URL, client count, open
 * deadline in ms, and "record" to keep everything its first client receives, as it arrived.
 *
 * Every frame of every client passes through here, so the parser only looks closer at `sale`
 * frames whose sale_id is being watched.
 */
import { type Socket, connect as tcpConnect } from "node:net";
import { monoMs, serveRequests } from "./procs.js";

const url = process.argv[2] as string;
const count = Number(process.argv[3]);
/** Connections not answered by then are abandoned and counted as failed ("timeout"). */
const openDeadline = performance.now() + Number(process.argv[4] ?? 60_000);
/**
 * The first client's every HTTP chunk (one server write: the frames of one fan-out round) with its
 * arrival time, so the bare fan-out baseline can send the same frames at the same moments.
 */
const recording: { at: number; payload: string }[] | undefined =
  process.argv[5] === "record" ? [] : undefined;
let recordCarry: Buffer = Buffer.alloc(0);
/** Opening thousands at once overflows the server's accept backlog; batches keep it honest. */
const OPEN_BATCH = 100;

interface Client {
  socket: Socket;
  /** Bytes after the last complete frame, waiting for the rest of it. */
  carry: Buffer | undefined;
  open: boolean;
  /** "merchant:sale" of watched merchants' sales → receipt time (monoMs) */
  got: Map<string, number>;
}

const clients: Client[] = [];
/** The client whose stream is recorded (the first one open), if recording. */
let recorded: Client | undefined;
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
/** `"merchant_id":"<id>"` of each watched merchant, as bytes to look for in what arrives. */
const watchedNeedles: Buffer[] = [];

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

/**
 * The 2,000 clients stand in for 2,000 screens, each with a machine of its own; here they share one
 * process on the server's own two vCPUs. So each is a plain socket with the least work per read:
 * the HTTP response head is checked once, then a read only costs a search for the watched merchants'
 * ids, and only frames that name one are decoded and parsed.
 */
const target = new URL(url);
const REQUEST = `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nAccept: text/event-stream\r\n\r\n`;
const FRAME_END = Buffer.from("\n\n");
const CHUNK_END = "\r\n";

function onBytes(c: Client, chunk: Buffer, at: number): void {
  const bytes = c.carry ? Buffer.concat([c.carry, chunk]) : chunk;
  c.carry = undefined;
  const end = bytes.lastIndexOf(FRAME_END);
  if (end === -1) {
    c.carry = bytes;
    return;
  }
  // What follows the last frame is the HTTP chunk's closing CRLF, or the start of a frame still coming.
  const rest = bytes.subarray(end + 2);
  if (rest.length > 0 && rest.toString("latin1") !== CHUNK_END) c.carry = Buffer.from(rest);
  if (watchedNeedles.length === 0) return;
  const frames = bytes.subarray(0, end + 2);
  if (!watchedNeedles.some((needle) => frames.includes(needle))) return;
  for (const frame of frames.toString("utf8").split("\n\n")) onFrame(c, frame, at);
}

/** Splits the recorded client's bytes into the HTTP chunks the server wrote. */
function record(chunk: Buffer, at: number): void {
  if (!recording) return;
  recordCarry = recordCarry.length > 0 ? Buffer.concat([recordCarry, chunk]) : chunk;
  for (;;) {
    const eol = recordCarry.indexOf(CHUNK_END);
    if (eol === -1) return;
    const size = Number.parseInt(recordCarry.subarray(0, eol).toString("latin1"), 16);
    if (recordCarry.length < eol + 2 + size + 2) return;
    if (size > 0)
      recording.push({ at, payload: recordCarry.subarray(eol + 2, eol + 2 + size).toString("utf8") });
    recordCarry = recordCarry.subarray(eol + 2 + size + 2);
  }
}

function connect(): Promise<void> {
  return new Promise((resolve) => {
    const socket = tcpConnect(Number(target.port), target.hostname);
    const c: Client = { socket, carry: undefined, open: false, got: new Map() };
    let head = "";
    let settled = false;
    const settle = (failure?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (failure !== undefined) {
        fail(failure);
        socket.destroy();
      }
      resolve();
    };
    const deadline = setTimeout(() => settle("timeout"), Math.max(1, openDeadline - performance.now()));
    socket.setNoDelay(true);
    socket.write(REQUEST);
    socket.on("data", (data: Buffer) => {
      const at = monoMs();
      let chunk = data;
      if (!c.open) {
        // Latin-1 maps bytes to characters one to one, so the rest converts back unchanged.
        head += chunk.toString("latin1");
        const end = head.indexOf("\r\n\r\n");
        if (end === -1) return;
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
        if (status !== "200") {
          settle(`HTTP ${status ?? "?"}`);
          return;
        }
        c.open = true;
        clients.push(c);
        if (recording) recorded ??= c;
        settle();
        chunk = Buffer.from(head.slice(end + 4), "latin1");
        head = "";
        if (chunk.length === 0) return;
      }
      if (c === recorded) record(chunk, at);
      onBytes(c, chunk, at);
    });
    const gone = () => {
      if (c.open && !stopping) dropped++;
      c.open = false;
      settle("closed before answering");
    };
    socket.on("end", gone);
    socket.on("close", gone);
    socket.on("error", (e: NodeJS.ErrnoException) => {
      if (!c.open) settle(e.code ?? e.message);
    });
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
    watchedNeedles.push(Buffer.from(`"merchant_id":${JSON.stringify(String(m.merchantId))}`));
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
    const open = clients.filter((c) => c.open).length;
    return { receipts, missedAny, dropped, open, cpuShare, ...(recording ? { recording } : {}) };
  },
  stop: () => {
    stopping = true;
    for (const c of clients) c.socket.destroy();
    setImmediate(() => process.exit(0));
    return {};
  },
});

process.send?.({ type: "ready", connected: clients.length, failed: count - clients.length, failures });
