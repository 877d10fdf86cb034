/**
 * The LNbits source (issue 15): one merchant is one wallet, read with its invoice/read key as
 * `X-Api-Key`. A poll lists the wallet's payments newest first with `GET /api/v1/payments`, page by
 * page, and stops at the sync state's window (sync-state.ts); the first poll and a refetch read
 * everything. `/payments`, not `/payments/paginated`: it lists success and pending only (1.x turns
 * every expired invoice failed, rows that are never sales), it skips the `total` count over the whole
 * history that `/paginated` runs on every page, and it exists in every version. A webhook's hint is
 * looked up by hash only when the list did not bring that payment, and it becomes a sale only if the
 * wallet's own API says so.
 */
import type { ConnectionTest, LnbitsSettings } from "../../contract/index.js";
import { UpstreamError } from "../../upstream/client.js";
import { getJson, joinUrl } from "../http-json.js";
import type { SourceClient, SourceClientOptions, SourceHint, SourcePollInput } from "../source-client.js";
import { isObj } from "../source-sale.js";
import { answerProblem } from "./answers.js";
import { PageMerge } from "./page-merge.js";
import { readSyncState, rowTime, SyncStateBuilder, windowStart } from "./sync-state.js";

/** LNbits 1.4+ answers at most 1000 rows a page (and 10 when no limit is given). */
export const MAX_PAGE_SIZE = 1000;
/** Hinted payments looked up one by one per poll, at most; the rest wait for the list. */
const MAX_HINT_LOOKUPS = 20;
/** Ten million payments at the largest page: past that the server is not paging as LNbits does. */
const MAX_PAGES = 10_000;
const PAYMENTS = "/api/v1/payments";
const HASH = /^[0-9a-f]{64}$/;

export interface LnbitsClientOptions extends SourceClientOptions {
  /** Rows asked for per page (default and most: 1000); tests page with fewer. */
  pageSize?: number;
}

export function createLnbitsClient(opts: LnbitsClientOptions): SourceClient<LnbitsSettings> {
  const pageSize = Math.min(Math.max(1, Math.floor(opts.pageSize ?? MAX_PAGE_SIZE)), MAX_PAGE_SIZE);
  const get = (settings: LnbitsSettings, path: string, signal?: AbortSignal) =>
    getJson(joinUrl(settings.base_url, path), {
      sourceName: "LNbits",
      headers: { "x-api-key": settings.api_key },
      timeoutMs: opts.timeoutMs,
      maxBytes: opts.maxBytes,
      signal,
    });

  async function poll(input: SourcePollInput<LnbitsSettings>) {
    const previous = readSyncState(input.state);
    const from = windowStart(previous);
    const merge = new PageMerge();
    const state = new SyncStateBuilder(previous, input.now);
    for (let offset = 0, pages = 1; ; pages++) {
      if (pages > MAX_PAGES) throw new UpstreamError(`LNbits kept answering full pages past ${MAX_PAGES}`);
      const path = `${PAYMENTS}?limit=${pageSize}&offset=${offset}&sortby=time&direction=desc`;
      const { status, body } = await get(input.settings, path, input.signal);
      const problem = answerProblem(status, body, PAYMENTS, input.settings.api_key);
      if (problem !== null) throw new UpstreamError(problem);
      if (!Array.isArray(body)) throw new UpstreamError("LNbits payments answer is not a list");
      for (const row of body) if (isObj(row)) state.see(row);
      const fresh = merge.add(body);
      // A page longer than asked: the server ignores limit and offset (0.x), so this was everything.
      // A short page is the last; a page of repeats means offsets are ignored too.
      if (body.length < pageSize || body.length > pageSize || fresh === 0) break;
      if (reachesBefore(body, from)) break;
      offset += body.length;
    }
    await lookUpHints(input, merge, get);
    return { parse: merge.result(), state: state.result() };
  }

  return {
    poll,
    testConnection: (settings, signal) => testConnection(settings, get, signal),
  };
}

type Get = (
  settings: LnbitsSettings,
  path: string,
  signal?: AbortSignal,
) => Promise<{ status: number; body: unknown }>;

/** Newest first: once a page holds a row created before the window, the rest are older still. */
function reachesBefore(rows: unknown[], from: number): boolean {
  if (from === Number.NEGATIVE_INFINITY) return false;
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i];
    const t = isObj(row) ? rowTime(row) : null;
    if (t !== null) return t < from;
  }
  return false;
}

/**
 * `GET /api/v1/payments/{hash}` with the wallet's key answers `{paid, preimage, details}`, `details`
 * only for the key's own wallet, 404 "Payment does not exist." otherwise. Only `details` is read, and
 * through the same parser as the list: `paid` alone is true for outgoing payments too. A lookup that
 * fails costs nothing but the hint: the list stays the truth, and the next polls' window still holds
 * any recent payment.
 */
async function lookUpHints(input: SourcePollInput<LnbitsSettings>, merge: PageMerge, get: Get) {
  const wanted = hintedHashes(input.hints).filter((h) => !merge.has(h));
  for (const hash of wanted.slice(0, MAX_HINT_LOOKUPS)) {
    let answer: { status: number; body: unknown };
    try {
      answer = await get(input.settings, `${PAYMENTS}/${hash}`, input.signal);
    } catch (e) {
      if (input.signal.aborted) throw e;
      continue;
    }
    if (answer.status !== 200 || !isObj(answer.body) || !isObj(answer.body.details)) continue;
    const details = answer.body.details;
    if (String(details.payment_hash).toLowerCase() === hash) merge.add([details]);
  }
}

function hintedHashes(hints: SourceHint[]): string[] {
  const out = new Set<string>();
  for (const h of hints) for (const k of h.keys) if (HASH.test(k.toLowerCase())) out.add(k.toLowerCase());
  return [...out];
}

async function testConnection(
  settings: LnbitsSettings,
  get: Get,
  signal?: AbortSignal,
): Promise<ConnectionTest> {
  try {
    const { status, body } = await get(settings, "/api/v1/wallet", signal);
    const problem = answerProblem(status, body, "/api/v1/wallet", settings.api_key);
    if (problem !== null) return { ok: false, message: problem };
    if (!isObj(body) || typeof body.name !== "string")
      return { ok: false, message: "LNbits answered /api/v1/wallet, but not with a wallet" };
    return { ok: true, message: `Connected to wallet ${body.name}` };
  } catch (e) {
    if (e instanceof UpstreamError) return { ok: false, message: e.message };
    return { ok: false, message: `LNbits could not be reached: ${(e as Error).message}` };
  }
}
