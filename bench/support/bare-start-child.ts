/**
 * The yardstick for start-up: a bare node process that starts a plain node:http server on ADDR and
 * answers 200. Spawned and probed exactly as the service is (server.ts), so the difference between
 * the two start-up times is the service's own work, whatever the machine.
 */
import { createServer } from "node:http";

const [host, port] = (process.env.ADDR ?? "127.0.0.1:0").split(":");
createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
  res.end('{"status":"ok"}');
}).listen(Number(port), host);
