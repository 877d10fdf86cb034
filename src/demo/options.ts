/** Pure parsing of `npm run demo` options. */

export interface DemoOptions {
  port: number;
  mockPort: number;
  /** The BTCPay and LNbits mocks: fixed ports, so a rerun's merchants keep their base_url. */
  btcpayPort: number;
  lnbitsPort: number;
  speed: number;
  db: string;
}

export const DEMO_DEFAULTS: DemoOptions = {
  port: 8080,
  mockPort: 9999,
  btcpayPort: 9998,
  lnbitsPort: 9997,
  speed: 5,
  db: ".demo/demo.db",
};
export const DEMO_USAGE =
  "usage: npm run demo -- [--port 8080] [--mock-port 9999] [--btcpay-port 9998] [--lnbits-port 9997] [--speed 5] [--db .demo/demo.db]";

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
    if (!Object.hasOwn(PORTS, name) && name !== "--speed" && name !== "--db") {
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
      default:
        if (value.trim() === "") throw new DemoOptionsError("--db must not be empty");
        opts.db = value;
    }
  }
  const ports = [opts.port, opts.mockPort, opts.btcpayPort, opts.lnbitsPort];
  if (new Set(ports).size !== ports.length) {
    throw new DemoOptionsError("--port, --mock-port, --btcpay-port and --lnbits-port must differ");
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
