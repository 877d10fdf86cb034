import type { FastifyBaseLogger } from "fastify";
import { infoLineWriter } from "../log.js";

export interface RequestLine {
  reqId: string;
  method: string;
  path: string;
  ip: string | undefined;
  status: number;
  bytes: number | undefined;
  ms: number;
}

/** The line's field names, in pino's order. */
const FIELDS: readonly (keyof RequestLine)[] = ["reqId", "method", "path", "ip", "status", "bytes", "ms"];

/** Whether `log` writes request lines directly (createLogger's JSON logger or a child that writes alike). */
export function writesRequestLinesDirectly(log: object): boolean {
  return infoLineWriter(log, FIELDS) !== undefined;
}

/** The one line every answered request gets (the seed's request log), however it was answered. */
export function logRequest(log: FastifyBaseLogger, line: RequestLine): void {
  // The line is the caller's own object, made for this request: rounded in place rather than copied.
  line.ms = Math.round(line.ms * 10) / 10;
  const msg = `${line.method} ${line.path} ${line.status} ${line.bytes ?? "-"}B in ${line.ms.toFixed(1)}ms`;
  const write = infoLineWriter(log, FIELDS);
  if (write) write(requestFields(line), JSON.stringify(msg));
  else log.info(line, msg);
}

/**
 * The line of a 200 for one GET URL, with what never changes for it (method, path, their JSON) made
 * once: cached reads write it tens of thousands of times a second for the same few URLs. Writes
 * exactly what `logRequest` writes.
 */
export class PreparedRequestLine {
  private readonly fieldsAfterId: string;
  /** The message's JSON up to its status, without the closing quote. */
  private readonly msgHead: string;
  private lastIp: string | undefined;
  private lastIpField = "";

  constructor(private readonly path: string) {
    this.fieldsAfterId = `,"method":"GET","path":${JSON.stringify(path)}`;
    const head = JSON.stringify(`GET ${path} 200 `);
    this.msgHead = head.slice(0, -1);
  }

  write(log: FastifyBaseLogger, reqId: string, ip: string | undefined, bytes: number, ms: number): void {
    const write = infoLineWriter(log, FIELDS);
    if (!write) {
      logRequest(log, { reqId, method: "GET", path: this.path, ip, status: 200, bytes, ms });
      return;
    }
    if (ip !== this.lastIp) {
      this.lastIp = ip;
      this.lastIpField = ip === undefined ? "" : `,"ip":${JSON.stringify(ip)}`;
    }
    const rounded = Math.round(ms * 10) / 10;
    write(
      `"reqId":${JSON.stringify(reqId)}${this.fieldsAfterId}${this.lastIpField},"status":200,"bytes":${number(bytes)},"ms":${number(rounded)}`,
      `${this.msgHead}${bytes}B in ${rounded.toFixed(1)}ms"`,
    );
  }
}

/**
 * The line's fields as pino writes them (same order, undefined left out). Built directly because it
 * is written for every request: pino's general serialiser cost more than a cached read's own work.
 */
export function requestFields(line: RequestLine): string {
  return (
    `"reqId":${JSON.stringify(line.reqId)},"method":${JSON.stringify(line.method)},"path":${JSON.stringify(line.path)}` +
    (line.ip === undefined ? "" : `,"ip":${JSON.stringify(line.ip)}`) +
    `,"status":${number(line.status)}` +
    (line.bytes === undefined ? "" : `,"bytes":${number(line.bytes)}`) +
    `,"ms":${number(line.ms)}`
  );
}

/** As JSON.stringify writes a number: NaN and infinities become null. */
const number = (n: number) => (Number.isFinite(n) ? String(n) : "null");

/** Short, unique-per-process ids (`k3x9q-000001`) so a log line can be traced to its request. */
export function requestIds(): () => string {
  const prefix = Math.random().toString(36).slice(2, 7);
  let n = 0;
  return () => `${prefix}-${String(++n).padStart(6, "0")}`;
}
