/** Pure argument handling and response wording for `npm run add-merchant` (no I/O, no environment). */

export const DEFAULT_BASE_URL = "http://localhost:8080";
export const USAGE =
  "usage: npm run add-merchant -- <id> <public_key> <alias> [base_url]  (ADMIN_TOKEN must be set)";
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface AddMerchantArgs {
  id: string;
  publicKey: string;
  alias: string;
  baseUrl: string;
  token: string;
}

export type ParseResult = { ok: true; args: AddMerchantArgs } | { ok: false; error: string };

export function parseAddMerchantArgs(argv: readonly string[], token: string | undefined): ParseResult {
  const [id, publicKey, alias, rawBase, ...extra] = argv;
  if (id === undefined || publicKey === undefined || alias === undefined) {
    return { ok: false, error: `missing arguments\n${USAGE}` };
  }
  if (extra.length > 0) return { ok: false, error: `too many arguments\n${USAGE}` };
  if (!ID_PATTERN.test(id)) {
    return { ok: false, error: `invalid id ${JSON.stringify(id)}: use 1-64 letters, digits, "_" or "-"` };
  }
  if (publicKey.trim() === "") return { ok: false, error: "public_key must not be empty" };
  if (alias.trim() === "") return { ok: false, error: "alias must not be empty" };
  const baseUrl = (rawBase ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { ok: false, error: `invalid base_url ${JSON.stringify(rawBase)}: not a URL` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, error: `invalid base_url ${JSON.stringify(rawBase)}: must be http or https` };
  }
  if (token === undefined || token.trim() === "") {
    return { ok: false, error: "ADMIN_TOKEN must be set (the server's admin token)" };
  }
  return { ok: true, args: { id, publicKey, alias, baseUrl, token } };
}

/** The line to print for a server answer; `ok` false means exit non-zero. Never includes the token. */
export function describeResponse(
  status: number,
  body: unknown,
  args: Pick<AddMerchantArgs, "id" | "alias" | "baseUrl">,
): { ok: boolean; message: string } {
  if (status === 201)
    return { ok: true, message: `merchant ${args.id} ${JSON.stringify(args.alias)} created` };
  if (status === 200)
    return { ok: true, message: `merchant ${args.id} ${JSON.stringify(args.alias)} updated` };
  const serverError =
    typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string"
      ? (body as { error: string }).error
      : undefined;
  if (status === 401) return { ok: false, message: "admin token rejected (check ADMIN_TOKEN)" };
  if (status === 400) return { ok: false, message: `rejected: ${serverError ?? "bad request"}` };
  return {
    ok: false,
    message: `server at ${args.baseUrl} answered ${status}${serverError ? `: ${serverError}` : ""}`,
  };
}

/** Wording for a failed request (no answer at all). */
export function describeFetchError(err: unknown, baseUrl: string): string {
  const cause = (err as { cause?: { code?: string } } | undefined)?.cause;
  const code = cause?.code ?? (err as { code?: string } | undefined)?.code;
  if (code === "ECONNREFUSED") return `cannot reach ${baseUrl}: is the server running?`;
  if (code === "ENOTFOUND") return `cannot reach ${baseUrl}: unknown host`;
  const msg = err instanceof Error ? err.message : String(err);
  return `cannot reach ${baseUrl}: ${code ?? msg}`;
}
