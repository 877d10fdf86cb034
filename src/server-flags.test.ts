import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SERVER_ENV, SERVER_NODE_FLAGS } from "./server-flags.js";

describe("SERVER_NODE_FLAGS", () => {
  it("are the flags and environment `npm start` runs the service with", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      scripts: Record<string, string>;
    };
    const env = Object.entries(SERVER_ENV).map(([k, v]) => `${k}=${v} `);
    expect(pkg.scripts.start).toBe(`${env.join("")}node ${SERVER_NODE_FLAGS.join(" ")} dist/main.js`);
  });
});
