import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SERVER_ENV, SERVER_NODE_FLAGS } from "./server-flags.js";

describe("SERVER_NODE_FLAGS", () => {
  const env = Object.entries(SERVER_ENV).map(([k, v]) => `${k}=${v} `);

  it("are the flags and environment `npm start` runs the service with", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe(`${env.join("")}node ${SERVER_NODE_FLAGS.join(" ")} dist/main.js`);
  });

  it("are the flags and environment the package's bin runs it with", () => {
    const bin = readFileSync(new URL("../bin/live-pos-dashboard", import.meta.url), "utf8");
    expect(bin).toContain(`${env.join("")}exec node ${SERVER_NODE_FLAGS.join(" ")} "$here/../dist/main.js"`);
  });
});
