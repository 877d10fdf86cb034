import { execFileSync } from "node:child_process";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { logRequest, PreparedRequestLine, type RequestLine, requestFields } from "./api/request-log.js";
import { createLogger, infoLineWriter } from "./log.js";

/** What a logger wrote, one entry per write. */
function sink() {
  const writes: string[] = [];
  return { writes, write: (text: string) => writes.push(text) };
}

const FIELDS = ["reqId", "method", "path", "ip", "status", "bytes", "ms"];
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const lines = (writes: string[]) =>
  writes
    .join("")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const requests: RequestLine[] = [
  {
    reqId: "abcde-000001",
    method: "GET",
    path: "/v1/summary",
    ip: "127.0.0.1",
    status: 200,
    bytes: 203,
    ms: 0.04,
  },
  {
    reqId: "abcde-000002",
    method: "POST",
    path: "/v1/admin/x",
    ip: undefined,
    status: 404,
    bytes: undefined,
    ms: 12.345,
  },
  {
    reqId: "abcde-000003",
    method: "GET",
    path: '/v1/ticker?limit="a\\b"&x=\u00e9\u0001\u2028',
    ip: "::ffff:10.0.0.1",
    status: 400,
    bytes: Number.NaN,
    ms: 1,
  },
];

describe("JSON logger", () => {
  it("writes the lines of one turn of the event loop in one write, in order, after the turn", async () => {
    const out = sink();
    const log = await createLogger({ logLevel: "info", logFormat: "json" }, out);
    log.info("first");
    log.warn({ merchant_id: "m1" }, "second");
    logRequest(log, { ...(requests[0] as RequestLine) });
    expect(out.writes).toEqual([]);
    await turn();
    expect(out.writes).toHaveLength(1);
    expect(lines(out.writes).map((l) => l.msg)).toEqual([
      "first",
      "second",
      "GET /v1/summary 200 203B in 0.0ms",
    ]);
    log.info("third");
    log.flush();
    expect(lines(out.writes).map((l) => l.msg)).toEqual([
      "first",
      "second",
      "GET /v1/summary 200 203B in 0.0ms",
      "third",
    ]);
  });

  it("writes a request's line exactly as pino's own info line would be, field for field", async () => {
    const out = sink();
    const log = await createLogger({ logLevel: "info", logFormat: "json" }, out);
    const reference = sink();
    const pinoLog = pino({ level: "info", base: { service: "live-pos-dashboard" } }, reference);
    expect(infoLineWriter(log, FIELDS)).toBeDefined();
    for (const r of requests) {
      logRequest(log, { ...r });
      logRequest(pinoLog, { ...r });
    }
    await turn();
    const ours = lines(out.writes);
    const theirs = lines(reference.writes);
    expect(ours).toHaveLength(requests.length);
    for (let i = 0; i < requests.length; i++) {
      const { time: t1, ...a } = ours[i] as Record<string, unknown>;
      const { time: t2, ...b } = theirs[i] as Record<string, unknown>;
      expect(Object.keys(a)).toEqual(Object.keys(b));
      expect(a).toEqual(b);
      expect(typeof t1).toBe("number");
      expect(Math.abs((t1 as number) - (t2 as number))).toBeLessThan(60_000);
    }
    expect(requestFields({ ...(requests[1] as RequestLine) })).not.toContain("ip");
  });

  it("a prepared line for one URL writes what logRequest writes, also for our own logger's fallbacks", async () => {
    const out = sink();
    const log = await createLogger({ logLevel: "info", logFormat: "json" }, out);
    const reference = sink();
    const pinoLog = pino({ level: "info", base: { service: "live-pos-dashboard" } }, reference);
    const gets = requests.map((r) => ({ ...r, method: "GET", status: 200, bytes: r.bytes ?? 0 }));
    for (const r of gets) {
      const prepared = new PreparedRequestLine(r.path);
      // Twice with other ips in between: the remembered ip field must follow the request's own.
      for (const ip of [r.ip, "10.1.2.3", r.ip]) {
        prepared.write(log, r.reqId, ip, r.bytes, r.ms);
        prepared.write(pinoLog, r.reqId, ip, r.bytes, r.ms);
        logRequest(log, { ...r, ip });
      }
    }
    await turn();
    const all = lines(out.writes).map(({ time, ...rest }) => rest);
    const viaPino = lines(reference.writes).map(({ time, ...rest }) => rest);
    expect(all).toHaveLength(gets.length * 6);
    for (let i = 0; i < all.length; i += 2) {
      expect(JSON.stringify(all[i])).toBe(JSON.stringify(all[i + 1]));
      expect(JSON.stringify(all[i])).toBe(JSON.stringify(viaPino[i / 2]));
    }
    expect(all[0]).toMatchObject({
      path: "/v1/summary",
      ip: "127.0.0.1",
      msg: "GET /v1/summary 200 203B in 0.0ms",
    });
    expect(all[2]).toMatchObject({ ip: "10.1.2.3" });
    expect(all[6]).not.toHaveProperty("ip");
  });

  it("takes the fast writer for a child that writes the same lines (Fastify's app.log), not for others", async () => {
    const log = await createLogger({ logLevel: "info", logFormat: "json" }, sink());
    const fastifyLike = log.child({}, { serializers: { req: () => "r", res: () => "s", err: () => "e" } });
    expect(infoLineWriter(fastifyLike, FIELDS)).toBe(infoLineWriter(log, FIELDS));
    expect(infoLineWriter(fastifyLike.child({}), FIELDS)).toBe(infoLineWriter(log, FIELDS));
    const others = [
      log.child({ merchant_id: "m1" }),
      log.child({}, { msgPrefix: "[x] " }),
      log.child({}, { redact: ["path"] }),
      log.child({}, { serializers: { path: () => "hidden" } }),
      log.child({}, { formatters: { log: (o: object) => ({ ...o, extra: 1 }) } }),
    ];
    for (const child of others) expect(infoLineWriter(child, FIELDS)).toBeUndefined();
    const quiet = log.child({}, { level: "warn" });
    expect(infoLineWriter(quiet, FIELDS)).toBeUndefined();
    quiet.level = "info";
    expect(infoLineWriter(quiet, FIELDS)).toBe(infoLineWriter(log, FIELDS));
  });

  it("a request line through any of those children is exactly what pino writes through it", async () => {
    const out = sink();
    const log = await createLogger({ logLevel: "info", logFormat: "json" }, out);
    const children = [log.child({}, { serializers: { req: () => "r" } }), log.child({ merchant_id: "m1" })];
    for (const child of children) logRequest(child, { ...(requests[0] as RequestLine) });
    for (const child of children)
      child.info({ ...(requests[0] as RequestLine), ms: 0 }, "GET /v1/summary 200 203B in 0.0ms");
    await turn();
    const [fast, bound, viaPinoFast, viaPinoBound] = lines(out.writes).map(({ time, ...rest }) =>
      JSON.stringify(rest),
    );
    expect(fast).toBe(viaPinoFast);
    expect(bound).toBe(viaPinoBound);
    expect(bound).toContain('"merchant_id":"m1"');
  });

  it("writes no request line when info lines are off, and uses pino for loggers it did not make", async () => {
    const out = sink();
    const log = await createLogger({ logLevel: "warn", logFormat: "json" }, out);
    logRequest(log, { ...(requests[0] as RequestLine) });
    log.warn("kept");
    await turn();
    expect(lines(out.writes).map((l) => l.msg)).toEqual(["kept"]);
    expect(infoLineWriter(pino({ level: "info" }, sink()), FIELDS)).toBeUndefined();
  });

  it("writes the last turn's lines when the process exits in that turn", () => {
    const script = `
      const { createLogger } = await import(${JSON.stringify(new URL("../dist/log.js", import.meta.url).href)});
      const log = await createLogger({ logLevel: "info", logFormat: "json" });
      log.info("last words");
      process.exit(3);
    `;
    let stdout = "";
    try {
      execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    } catch (e) {
      const err = e as { status: number; stdout: string };
      expect(err.status).toBe(3);
      stdout = err.stdout;
    }
    expect(lines([stdout]).map((l) => l.msg)).toEqual(["last words"]);
  });
});
