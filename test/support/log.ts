import { Writable } from "node:stream";
import { pino } from "pino";

/** A real pino logger whose lines the test can read. */
export function captureLogger() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const log = pino({ level: "debug" }, stream);
  return { log, lines, messages: () => lines.map((l) => l.msg) };
}
