#!/usr/bin/env node
/** Entry point of `npm run mock -- [options]`; everything testable lives in command.ts and args.ts. */
import { runMockCommand } from "./command.js";

const stopped = new Promise((resolve) => {
  process.once("SIGINT", resolve);
  process.once("SIGTERM", resolve);
});

try {
  process.exitCode = await runMockCommand(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    stopped,
  });
} catch (err) {
  process.stderr.write(`mock: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
