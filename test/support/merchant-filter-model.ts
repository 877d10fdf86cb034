/** The reads that take a merchant filter, and answer 404 when it names a merchant that does not exist. */
const FILTERED = ["/v1/summary", "/v1/ticker", "/v1/leaderboard/products"];

/** Whether `url` asks one of those reads for exactly one merchant, and that merchant is not in `known`. */
export function namesUnknownMerchant(url: string, known: ReadonlyMap<string, unknown>): boolean {
  const parsed = new URL(url, "http://model");
  const [id, ...more] = parsed.searchParams.getAll("merchant_id");
  return FILTERED.includes(parsed.pathname) && id !== undefined && more.length === 0 && !known.has(id);
}
