import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/**
 * Constant-time check that leaks neither the token nor its length: both sides are hashed to 32 bytes
 * before timingSafeEqual, which would otherwise throw (and so answer faster) on a length mismatch.
 */
export function tokenMatcher(adminToken: string): (candidate: string) => boolean {
  const expected = digest(adminToken);
  return (candidate) => timingSafeEqual(digest(candidate), expected);
}

/**
 * The tokens a request presents: `Authorization: Bearer …` and/or `X-Admin-Token`. When both are sent
 * both must be right, so one wrong header is never masked by the other.
 */
export function presentedTokens(req: FastifyRequest): string[] {
  const tokens: string[] = [];
  const auth = req.headers.authorization;
  if (typeof auth === "string") {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    tokens.push(m?.[1] ?? "");
  }
  const header = req.headers["x-admin-token"];
  if (typeof header === "string") tokens.push(header);
  else if (Array.isArray(header)) tokens.push(...header);
  return tokens;
}

/**
 * Counts failed admin authentications per client in a fixed window. A client over the limit is refused
 * (429) before its token is even checked, so guessing cannot continue at full speed.
 * (@fastify/rate-limit counts every request, not failures, so it cannot express this.)
 */
export class FailedAuthLimiter {
  private readonly failures = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 60_000,
  ) {}

  /** Seconds until the client may try again, or 0 when it may try now. */
  retryAfterSeconds(client: string, now: number): number {
    const entry = this.failures.get(client);
    if (!entry) return 0;
    if (now - entry.windowStart >= this.windowMs) {
      this.failures.delete(client);
      return 0;
    }
    return entry.count >= this.maxFailures ? Math.ceil((entry.windowStart + this.windowMs - now) / 1000) : 0;
  }

  recordFailure(client: string, now: number): void {
    const entry = this.failures.get(client);
    if (!entry || now - entry.windowStart >= this.windowMs) {
      this.prune(now);
      this.failures.set(client, { count: 1, windowStart: now });
    } else {
      entry.count++;
    }
  }

  // Bounded memory under a flood of distinct addresses.
  private prune(now: number): void {
    if (this.failures.size < 10_000) return;
    for (const [k, v] of this.failures) if (now - v.windowStart >= this.windowMs) this.failures.delete(k);
  }
}
