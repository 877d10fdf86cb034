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

/** The one line every answered request gets (the seed's request log). */
export function logRequest(log: FastifyBaseLogger, line: RequestLine): void {
  // The line is the caller's own object, made for this request: rounded in place rather than copied.
  line.ms = Math.round(line.ms * 10) / 10;
  log.info(
    line,
    `${line.method} ${line.path} ${line.status} ${line.bytes ?? "-"}B in ${line.ms.toFixed(1)}ms`,
  );
}

/** Short, unique-per-process ids (`k3x9q-000001`) so a log line can be traced to its request. */
export function requestIds(): () => string {
  const prefix = Math.random().toString(36).slice(2, 7);
  let n = 0;
  return () => `${prefix}-${String(++n).padStart(6, "0")}`;
}
