/** Pure parsing of `npm run demo` options. */

export interface DemoOptions {
  port: number;
  mockPort: number;
  /** The BTCPay and LNbits mocks: fixed ports, so a rerun's merchants keep their base_url. */
  btcpayPort: number;
  lnbitsPort: number;
  speed: number;
  db: string;
  /** 1: one server on SQLite; 2 or more: that many on one PostgreSQL behind nginx (multi-cli.ts). */
  instances: number;
}

export const DEMO_DEFAULTS: DemoOptions = {
  port: 8080,
  mockPort: 9999,
  btcpayPort: 9998,
  lnbitsPort: 9997,
  speed: 5,
  db: ".demo/demo.db",
  instances: 1,
};
/** More would only crowd a laptop: each instance is a server with its own pools and ingest thread. */
export const MAX_DEMO_INSTANCES = 8;
export const DEMO_USAGE =
  "usage: npm run demo -- [--port 8080] [--mock-port 9999] [--btcpay-port 9998] [--lnbits-port 9997] [--speed 5] [--db .demo/demo.db] [--instances 1]";

const PORTS = {
  "--port": "port",
  "--mock-port": "mockPort",
  "--btcpay-port": "btcpayPort",
  "--lnbits-port": "lnbitsPort",
} as const;

export class DemoOptionsError extends Error {}

export function parseDemoOptions(argv: readonly string[]): DemoOptions {
  const opts: DemoOptions = { ...DEMO_DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (!Object.hasOwn(PORTS, name) && !["--speed", "--db", "--instances"].includes(name)) {
      throw new DemoOptionsError(`unknown option ${JSON.stringify(arg)}\n${DEMO_USAGE}`);
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new DemoOptionsError(`${name} needs a value\n${DEMO_USAGE}`);
    }
    if (Object.hasOwn(PORTS, name)) {
      opts[PORTS[name as keyof typeof PORTS]] = parsePort(name, value);
      continue;
    }
    switch (name) {
      case "--speed": {
        const n = Number(value);
        if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
          throw new DemoOptionsError(`invalid --speed ${JSON.stringify(value)}: must be a number > 0`);
        }
        opts.speed = n;
        break;
      }
      case "--instances": {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < 1 || n > MAX_DEMO_INSTANCES) {
          throw new DemoOptionsError(
            `invalid --instances ${JSON.stringify(value)}: must be a whole number 1-${MAX_DEMO_INSTANCES}`,
          );
        }
        opts.instances = n;
        break;
      }
      default:
        if (value.trim() === "") throw new DemoOptionsError("--db must not be empty");
        opts.db = value;
    }
  }
  const ports = [opts.port, opts.mockPort, opts.btcpayPort, opts.lnbitsPort];
  if (new Set(ports).size !== ports.length) {
    throw new DemoOptionsError("--port, --mock-port, --btcpay-port and --lnbits-port must differ");
  }
  // The instances listen on the ports right after --port (see multi-cli.ts).
  for (let i = 1; opts.instances > 1 && i <= opts.instances; i++) {
    const taken = [opts.mockPort, opts.btcpayPort, opts.lnbitsPort].includes(opts.port + i);
    if (taken || opts.port + i > 65535) {
      throw new DemoOptionsError(
        `--instances ${opts.instances} puts the servers on ports ${opts.port + 1}-${opts.port + opts.instances}: keep the mocks' ports and 65535 out of that range`,
      );
    }
  }
  return opts;
}

function parsePort(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n < 1 || n > 65535) {
    throw new DemoOptionsError(`invalid ${name} ${JSON.stringify(value)}: must be a port 1-65535`);
  }
  return n;
}
