import type { FastifyBaseLogger } from "fastify";

export interface RequestLine {
  reqId: string;
  method: string;
  path: string;
  ip: string | undefined;
  status: number;
  bytes: number | undefined;
  ms: number;
}

/** The one line every answered request gets (the seed's request log), however it was answered. */
export function logRequest(log: FastifyBaseLogger, line: RequestLine): void {
  const ms = line.ms.toFixed(1);
  log.info(
    { ...line, ms: Number(ms) },
    `${line.method} ${line.path} ${line.status} ${line.bytes ?? "-"}B in ${ms}ms`,
  );
}

/** Short, unique-per-process ids (`k3x9q-000001`) so a log line can be traced to its request. */
export function requestIds(): () => string {
  const prefix = Math.random().toString(36).slice(2, 7);
  let n = 0;
  return () => `${prefix}-${String(++n).padStart(6, "0")}`;
}
