/**
 * The contract's plain numbers that the store uses too, kept free of TypeBox: the ingest thread reads
 * them, and loading every schema (TypeBox alone is 373 modules) would lengthen its start-up, which is
 * the service's (README, Start-up).
 */

/** A merchant counts as not reporting once its polls have failed for longer than this many poll intervals. */
export const NOT_REPORTING_AFTER_POLLS = 2;

export const SCENE_ORDER_MAX = 1_000_000;

/** How many deliveries the log answers at most (newest first). */
export const DELIVERY_LOG_LIMIT = 100;
