/**
 * The ceiling for the read figures: bare node:http answering a fixed 200-byte JSON body, measured
 * with the same autocannon settings on the same machine in the same run.
 */
import { createServer } from "node:http";
import { serveRequests } from "./procs.js";

const payload = JSON.stringify({ status: "ok", filler: "" });
const body = Buffer.from(JSON.stringify({ status: "ok", filler: "x".repeat(200 - payload.length) }));

const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": body.length });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => {
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  serveRequests({});
  process.send?.({ type: "ready", url: `http://127.0.0.1:${port}/`, bytes: body.length });
});
