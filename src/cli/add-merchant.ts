/**
 * `npm run add-merchant -- <id> <public_key> <alias> [base_url]`: registers (or updates) a merchant
 * through the admin API. Besides main.ts, this is the only place that reads the environment, and only
 * ADMIN_TOKEN. The token is sent as a header and never printed.
 */
import { describeFetchError, describeResponse, parseAddMerchantArgs } from "./add-merchant-args.js";

async function run(): Promise<number> {
  const parsed = parseAddMerchantArgs(process.argv.slice(2), process.env.ADMIN_TOKEN);
  if (!parsed.ok) {
    console.error(parsed.error);
    return 2;
  }
  const { args } = parsed;
  let res: Response;
  try {
    res = await fetch(`${args.baseUrl}/v1/admin/merchants`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${args.token}` },
      body: JSON.stringify({ id: args.id, public_key: args.publicKey, alias: args.alias }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    console.error(describeFetchError(e, args.baseUrl));
    return 1;
  }
  const body: unknown = await res.json().catch(() => undefined);
  const outcome = describeResponse(res.status, body, args);
  if (outcome.ok) console.log(outcome.message);
  else console.error(outcome.message);
  return outcome.ok ? 0 : 1;
}

process.exitCode = await run();
