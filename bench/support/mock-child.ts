/**
 * The mock upstream in its own process (forked by mock.ts), so generating and serialising upstream
 * bodies never competes with the bench's own clients on one event loop. Argument: JSON options.
 */
import { startMockUpstream } from "../../src/mock/index.js";
import { serveRequests } from "./procs.js";

const opts = JSON.parse(process.argv[2] ?? "{}") as {
  seed: number;
  merchants: number;
  saleIdOffset: number;
  intervalMs: number;
  speed: number;
  generate?: boolean;
  latencyMs?: number;
};

const mock = await startMockUpstream({ ...opts, history: false, port: 0 });

serveRequests({
  addSale: (m) => {
    const sale = mock.addSale(String(m.merchantId));
    return { merchantId: sale.merchantId, saleId: sale.saleId };
  },
  stop: async () => {
    await mock.stop();
    setImmediate(() => process.exit(0));
    return {};
  },
});

process.send?.({
  type: "ready",
  url: mock.url,
  merchants: mock.merchants().map((m) => ({ id: m.id, publicKey: m.publicKey })),
});
