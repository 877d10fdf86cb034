import { type Static, Type } from "typebox";

/** Building blocks shared by the contract's bodies, answers and stream events. */

export const MERCHANT_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$";
export const MerchantId = Type.String({
  pattern: MERCHANT_ID_PATTERN,
  description: "Upstream merchant id, e.g. 173",
});
/**
 * A milestone id in a path: the digits of a positive integer, at most 15 of them (so it is exact as a
 * JavaScript number). A string, not an integer, so that "0x10", "1e3" or " 7" are refused rather
 * than coerced.
 */
export const MILESTONE_ID_PATTERN = "^[1-9][0-9]{0,14}$";
export const MilestoneId = Type.String({
  pattern: MILESTONE_ID_PATTERN,
  description: "Milestone id, e.g. 5",
});
export const Limit = Type.Integer({ minimum: 1, maximum: 1000 });
export const Instant = Type.String({ description: "RFC 3339, UTC" });
export const Count = Type.Integer({ minimum: 0 });
export const Sats = Type.Integer({ minimum: 0 });
/**
 * Where a sale comes from: "pwf" (polled from PayWithFlash), "wifi" (the LNbits webhook); more sources
 * add values. A merchant has one source and each of its sales carries it.
 */
export const SaleSource = Type.String({ pattern: "^[a-z0-9_-]{1,32}$", description: "pwf, wifi, …" });

// Enums, not unions of literals: Ajv then names the parameter once instead of once per alternative.
export const Metric = Type.Enum(["transactions", "volume"]);
export type Metric = Static<typeof Metric>;
export const MilestoneType = Type.Enum(["transactions", "volume"]);
export type MilestoneType = Static<typeof MilestoneType>;

/**
 * Answers are closed objects: serialisation drops anything else anyway, and the live stream (plain
 * JSON.stringify) must not leak a field the contract does not name.
 */
export const CLOSED = { additionalProperties: false } as const;

export const ErrorBody = Type.Object({ error: Type.String() }, CLOSED);
export type ErrorBody = Static<typeof ErrorBody>;
/** A public read's 304: no body; the request's If-None-Match named the current answer's ETag. */
export const NotModified = Type.Unknown({
  description: "no body: If-None-Match names the current answer's ETag, which is repeated",
});
export const StatusBody = Type.Object({ status: Type.String() }, CLOSED);
export type StatusBody = Static<typeof StatusBody>;

/** What a change with nothing else to return answers (a delete): every 2xx has a JSON body. */
export const MessageBody = Type.Object({ message: Type.String() }, CLOSED);
export type MessageBody = Static<typeof MessageBody>;

/** Writes failing for the storage's sake (a full disk, an I/O error); reads still answer meanwhile. */
export const StorageFailure = Type.Object(
  {
    error: Type.String({
      description: 'SQLite\'s words and code, e.g. "database or disk is full (SQLITE_FULL)"',
    }),
    failing_since: Instant,
    last_failure_at: Instant,
  },
  CLOSED,
);
export type StorageFailure = Static<typeof StorageFailure>;

/**
 * Several instances on PostgreSQL: this one does not hear the others' writes (its LISTEN connection is
 * down), so its screens miss their sales until it listens again and catches up.
 */
export const LivePushFailure = Type.Object(
  {
    error: Type.String({
      description: "Why the instance is not listening, as PostgreSQL or the driver said",
    }),
    down_since: Instant,
  },
  CLOSED,
);
export type LivePushFailure = Static<typeof LivePushFailure>;

/**
 * `{"status":"ok"}` as the spec has it; "degraded", still with 200 (reads are served), while writes
 * fail, with why in `storage`, or while live push from the other instances is down (`live_push`).
 * Each clears once what failed works again.
 */
export const Health = Type.Object(
  {
    status: Type.Enum(["ok", "degraded"]),
    storage: Type.Optional(StorageFailure),
    live_push: Type.Optional(LivePushFailure),
  },
  CLOSED,
);
export type Health = Static<typeof Health>;
