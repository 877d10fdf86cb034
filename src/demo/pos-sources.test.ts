import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { startPosSources } from "./pos-sources.js";

/** A port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((done) => srv.listen(0, "127.0.0.1", done));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((done) => srv.close(() => done()));
  return port;
}

async function sources(log: (line: string) => void, runId = 7) {
  return startPosSources({
    host: "127.0.0.1",
    btcpayPort: 0,
    lnbitsPort: 0,
    speed: 50,
    intervalMs: 20,
    runId,
    log,
  });
}

describe("the demo's BTCPay and LNbits stands", () => {
  it("log one line per failed webhook and keep selling; stop for good", async () => {
    const lines: string[] = [];
    const pos = await sources((line) => lines.push(line));
    try {
      pos.startSales(`http://127.0.0.1:${await closedPort()}`);
      const deadline = Date.now() + 10_000;
      while (lines.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await pos.stopSales();
      expect(lines.length).toBeGreaterThanOrEqual(5);
      for (const line of lines) {
        expect(line).toMatch(/^demo: (BTCPay|LNbits) \S.* failed \(.+\); the next poll picks the sale up$/);
        expect(line).not.toContain("\n");
      }
      // Sales went on past the failures: each one is in the mocks.
      expect(pos.truth().reduce((n, t) => n + t.sales.length, 0)).toBeGreaterThan(lines.length);
      const after = lines.length;
      const made = pos.truth().map((t) => t.made);
      pos.startSales("http://127.0.0.1:1");
      await new Promise((r) => setTimeout(r, 100));
      expect(lines.length).toBe(after);
      expect(pos.truth().map((t) => t.made)).toEqual(made);
    } finally {
      await pos.close();
    }
  });

  it("are the same merchants every run, and the same event in shape, with new ids", async () => {
    const a = await sources(() => undefined, 1);
    const b = await sources(() => undefined, 2);
    try {
      const settings = (p: typeof a) =>
        p.merchants().map(({ btcpay, lnbits, ...m }) => {
          const s = { ...((btcpay ?? lnbits) as Record<string, unknown>) };
          delete s.base_url;
          return { ...m, s };
        });
      expect(settings(b)).toEqual(settings(a));
      const history = (p: typeof a) => p.truth().map((t) => t.sales.map((s) => [s.fiat, s.currency]));
      expect(history(b)).toEqual(history(a));
      expect(a.truth().every((t) => t.sales.length === 6)).toBe(true);
      // The mocks start empty each run: ids of this run's sales must not be the stored ones of the last.
      const ids = (p: typeof a) => new Set(p.truth().flatMap((t) => t.sales.map((s) => s.externalId)));
      expect([...ids(a)].filter((id) => ids(b).has(id))).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
