/**
 * LNbits' answers that are not what was asked for, in words an operator can act on (they become
 * `last_error` and the "test connection" message). LNbits 1.x errors are FastAPI's `{"detail": …}`:
 * a missing key 401 "No Api Key provided.", an unknown key **404** "Wallet not found.", bad parameters
 * 400; older versions answer 401 "Invoice (or Admin) key required." (shared/spec/pos-sources.md). An
 * outage in front of LNbits is often an HTML 502. A message never holds the key, even if a proxy
 * echoed it.
 */
import { isObj } from "../source-sale.js";

const MAX_DETAIL = 120;

/** Null when the answer is a 2xx JSON one; else why not, in plain words. */
export function answerProblem(status: number, body: unknown, path: string, apiKey: string): string | null {
  const detail = detailOf(body, apiKey);
  const said = detail === null ? `${status}` : `${status} ${detail}`;
  if (status >= 200 && status < 300) {
    return body === undefined ? `LNbits answered ${path} with something that is not JSON` : null;
  }
  if (status === 404 && detail !== null && /wallet not found/i.test(detail))
    return `LNbits does not know this key (${said})`;
  if (status === 404) return `LNbits has no ${path} (${said}): is the base URL an LNbits server?`;
  if (status === 401 || status === 403) return `LNbits refused the key (${said})`;
  if (status === 400 || status === 422) return `LNbits refused the request for ${path} (${said})`;
  if (status >= 500 && body === undefined)
    return `LNbits answered ${status} with a page that is not JSON (an outage, or a proxy in front of it)`;
  if (status >= 500) return `LNbits failed (${said})`;
  return `LNbits answered ${said} for ${path}`;
}

/** FastAPI's `detail`, shortened, without a trailing period and never holding the key. */
function detailOf(body: unknown, apiKey: string): string | null {
  if (!isObj(body)) return null;
  const d = body.detail;
  let text: string;
  if (typeof d === "string") text = d;
  else if (Array.isArray(d)) text = "invalid parameters";
  else return null;
  if (apiKey !== "") text = text.split(apiKey).join("•••");
  text = text.replace(/\s+/g, " ").trim().replace(/\.$/, "");
  if (text === "") return null;
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}
