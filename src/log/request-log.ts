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

const SECRET_PARAM = /secret|%/i;

/**
 * The URL with the value of every `secret` query parameter replaced (the WiFi webhook's, when its
 * sender cannot set a header). Keys are compared decoded, as the query parser reads them, so
 * `?s%65cret=` is caught too. URLs with neither "secret" nor a "%" in their query, nearly all of
 * them, are returned as they are without further work.
 */
export function withoutSecrets(url: string): string {
  const q = url.indexOf("?");
  if (q < 0 || !SECRET_PARAM.test(url.slice(q + 1))) return url;
  const parts = url.slice(q + 1).split("&");
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    if (decodedKey(key).toLowerCase() === "secret") {
      parts[i] = `${key}=[redacted]`;
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${parts.join("&")}` : url;
}

function decodedKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, " "));
  } catch {
    return key;
  }
}
