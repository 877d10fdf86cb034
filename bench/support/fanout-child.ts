/**
 * The yardstick for push: a minimal SSE server on plain node:http (no framework, no batching of its
 * own), forked by push-baseline.ts. `GET /v1/stream` opens a stream; `POST /trigger` with SSE frames
 * as its body writes them to every open stream, one write each, and answers 202 once written. The
 * parent can also have it replay recorded writes at given moments (the live traffic the service
 * sent around the measured sales), so both servers carry the same frames.
 */
import { createServer, type ServerResponse } from "node:http";
import { monoMs, serveRequests } from "./procs.js";

const streams = new Set<ServerResponse>();

function send(frames: string): void {
  for (const res of streams) res.write(frames);
}

const server = createServer((req, res) => {
  if (req.method === "GET" && req.url?.startsWith("/v1/stream")) {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
    });
    res.socket?.setNoDelay(true);
    res.write("retry: 2000\n: connected\n\n");
    streams.add(res);
    res.on("close", () => streams.delete(res));
    return;
  }
  if (req.method === "POST" && req.url === "/trigger") {
    const parts: Buffer[] = [];
    req.on("data", (d: Buffer) => parts.push(d));
    req.on("end", () => {
      send(Buffer.concat(parts).toString("utf8"));
      res.writeHead(202).end();
    });
    return;
  }
  res.writeHead(404).end();
});

/** Writes each payload to every stream at `startMono + offsetMs` (CLOCK_MONOTONIC, as monoMs). */
function replay(startMono: number, writes: { offsetMs: number; payload: string }[]): void {
  let i = 0;
  const step = () => {
    for (let next = writes[i]; next && startMono + next.offsetMs <= monoMs(); next = writes[++i])
      send(next.payload);
    const next = writes[i];
    if (next) setTimeout(step, Math.max(0, startMono + next.offsetMs - monoMs()));
  };
  step();
}

server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  serveRequests({
    replay: (m) => {
      replay(m.startMono as number, m.writes as { offsetMs: number; payload: string }[]);
      return {};
    },
    streams: () => ({ open: streams.size }),
  });
  process.send?.({ type: "ready", url: `http://127.0.0.1:${port}` });
});
