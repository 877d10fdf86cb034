/**
 * The mock command, with its process wiring (output, stop signal) injected so it runs in tests.
 */
import { type MockCliOptions, parseMockArgs, USAGE } from "./args.js";
import { startMockUpstream } from "./index.js";

export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
  /** Resolves when the command should stop (SIGINT/SIGTERM in the real CLI). */
  stopped: Promise<unknown>;
  /** The real clock, ms epoch (default Date.now); `--start` shifts it. Injected by tests. */
  now?: () => number;
}

/** Runs until `io.stopped`; returns the exit code (0, or 2 for bad arguments). */
export async function runMockCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const parsed = parseMockArgs(argv);
  if (parsed.kind === "help") {
    io.out(USAGE);
    return 0;
  }
  if (parsed.kind === "error") {
    io.err(`mock: ${parsed.message} (see --help)`);
    return 2;
  }
  const o: MockCliOptions = parsed.options;
  const mock = await startMockUpstream({
    host: o.host,
    port: o.port,
    seed: o.seed,
    intervalMs: o.intervalMs,
    generate: o.generate,
    speed: o.speed,
    merchants: o.merchants,
    failRate: o.failRate,
    latencyMs: o.latencyMs,
    garbageRate: o.garbageRate,
    now: clock(o.start, io.now ?? Date.now),
  });
  io.out(`mock PayWithFlash upstream listening on ${mock.url} with ${o.merchants} merchants`);
  await io.stopped;
  await mock.stop();
  return 0;
}

/**
 * Without --start, the real clock; with it, a clock whose first reading (the mock's start instant)
 * is exactly `start` and which then runs at real speed. Anchored on that first reading, not on an
 * earlier one here: a millisecond passing in between would shift every date of the run.
 */
function clock(start: number | undefined, real: () => number): () => number {
  if (start === undefined) return real;
  let t0: number | undefined;
  return () => {
    const r = real();
    t0 ??= r;
    return start + (r - t0);
  };
}
