/** Pure parsing of `npm run demo` options. */

export interface DemoOptions {
  port: number;
  mockPort: number;
  speed: number;
  db: string;
}

export const DEMO_DEFAULTS: DemoOptions = { port: 8080, mockPort: 9999, speed: 5, db: ".demo/demo.db" };
export const DEMO_USAGE =
  "usage: npm run demo -- [--port 8080] [--mock-port 9999] [--speed 5] [--db .demo/demo.db]";

export class DemoOptionsError extends Error {}

export function parseDemoOptions(argv: readonly string[]): DemoOptions {
  const opts: DemoOptions = { ...DEMO_DEFAULTS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    let value: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (!["--port", "--mock-port", "--speed", "--db"].includes(name)) {
      throw new DemoOptionsError(`unknown option ${JSON.stringify(arg)}\n${DEMO_USAGE}`);
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new DemoOptionsError(`${name} needs a value\n${DEMO_USAGE}`);
    }
    switch (name) {
      case "--port":
        opts.port = parsePort(name, value);
        break;
      case "--mock-port":
        opts.mockPort = parsePort(name, value);
        break;
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
  if (opts.port === opts.mockPort) throw new DemoOptionsError("--port and --mock-port must differ");
  return opts;
}

function parsePort(name: string, value: string): number {
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n < 1 || n > 65535) {
    throw new DemoOptionsError(`invalid ${name} ${JSON.stringify(value)}: must be a port 1-65535`);
  }
  return n;
}
