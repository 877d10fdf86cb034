/** The steps the one-server demo (cli.ts) and the multi-instance demo (multi-cli.ts) share. */
import type { ChildProcess } from "node:child_process";
import { type MockUpstream, startMockUpstream } from "../mock/index.js";
import { missingMilestones } from "./milestones.js";
import type { DemoOptions } from "./options.js";
import { type PosSources, startPosSources } from "./pos-sources.js";

export const HOST = "127.0.0.1";
const HEALTH_TIMEOUT_MS = 30_000;

/** The PayWithFlash mock, then the BTCPay and LNbits mocks, each on its port. */
export async function startMocksOrExit(opts: DemoOptions): Promise<{ mock: MockUpstream; pos: PosSources }> {
  let mock: MockUpstream;
  try {
    mock = await startMockUpstream({ host: HOST, port: opts.mockPort, speed: opts.speed, intervalMs: 2000 });
  } catch (e) {
    console.error(`cannot start the mock upstream on ${HOST}:${opts.mockPort}: ${(e as Error).message}`);
    process.exit(1);
  }
  try {
    const pos = await startPosSources({
      host: HOST,
      btcpayPort: opts.btcpayPort,
      lnbitsPort: opts.lnbitsPort,
      speed: opts.speed,
      intervalMs: 2000,
      runId: Date.now(),
      log: (line) => console.error(line),
    });
    return { mock, pos };
  } catch (e) {
    const where = `${HOST}:${opts.btcpayPort} and :${opts.lnbitsPort}`;
    console.error(`cannot start the BTCPay/LNbits mocks on ${where}: ${(e as Error).message}`);
    await mock.stop();
    process.exit(1);
  }
}

/** Which merchant is on which source, for the welcome text. */
export function merchantLines(mock: MockUpstream, pos: PosSources, opts: DemoOptions): string[] {
  const names = (source: string) =>
    pos.stands
      .filter((s) => s.source === source)
      .map((s) =>
        s.source === "lnbits" ? `${s.alias} (${s.kind === "tpos" ? "TPoS" : "pay link"})` : s.alias,
      )
      .join(", ");
  const count = (source: string) => pos.stands.filter((s) => s.source === source).length;
  return [
    "  Merchants, by point of sale:",
    `    PayWithFlash   ${mock.merchants().length} merchants (mock ${mock.url}, speed ${opts.speed}x)`,
    `    BTCPay Server  ${names("btcpay")} (mock ${pos.btcpayUrl}, ${count("btcpay")} stores)`,
    `    LNbits         ${names("lnbits")} (mock ${pos.lnbitsUrl}, ${count("lnbits")} wallets)`,
  ];
}

export async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
  await exited;
  clearTimeout(timer);
}

export async function waitForHealth(base: string, cancelled: () => boolean): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (!cancelled()) {
    try {
      const res = await fetch(`${base}/v1/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the server did not answer ${base}/v1/health within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function setUp(base: string, token: string, mock: MockUpstream, pos: PosSources): Promise<void> {
  const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const json: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const msg = (json as { error?: string } | undefined)?.error ?? "";
      throw new Error(`${method} ${path} answered ${res.status} ${msg}`);
    }
    return json;
  };
  const merchants = mock.merchants();
  for (const m of merchants) {
    await admin("POST", "/v1/admin/merchants", { id: m.id, public_key: m.publicKey, alias: m.name });
  }
  // As an operator would: the same POST again on a rerun is an update of the same merchant.
  const others = pos.merchants();
  for (const m of others) await admin("POST", "/v1/admin/merchants", m);
  const existing = (await admin("GET", "/v1/admin/milestones")) as { name: string }[];
  const toCreate = missingMilestones(existing);
  for (const m of toCreate) await admin("POST", "/v1/admin/milestones", m);
  console.log(
    `demo: registered ${merchants.length} PayWithFlash and ${others.length} BTCPay/LNbits merchants; created ${toCreate.length} milestones (${existing.length} already there)`,
  );
}
