/** What the multi-instance demo prints once it runs: where to look, which instance is which, how to kill one. */
import type { ChildProcess } from "node:child_process";
import type { MockUpstream } from "../mock/index.js";
import type { DemoOptions } from "./options.js";
import type { PosSources } from "./pos-sources.js";
import type { PostgresCluster } from "./postgres/cluster.js";
import { merchantLines } from "./steps.js";

/** One running instance of dist/main.js (multi-cli.ts starts them). */
export interface Instance {
  n: number;
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
}

export interface MultiWelcome {
  base: string;
  token: string;
  mock: MockUpstream;
  pos: PosSources;
  opts: DemoOptions;
  cluster: PostgresCluster;
  instances: readonly Instance[];
  nginxPid: number | undefined;
}

export function printMultiWelcome(w: MultiWelcome): void {
  const rows = w.instances.map(
    (i) => `    instance ${i.n}   http://127.0.0.1:${i.port}/   pid ${i.child.pid ?? "?"}`,
  );
  const first = w.instances[0];
  console.log(`
Live POS dashboard demo is running: one event, ${w.instances.length} instances on one PostgreSQL, nginx in front.

  Dashboard:   ${w.base}/   (nginx, pid ${w.nginxPid ?? "?"}: open this one)
  Admin:       ${w.base}/admin
  Admin token: ${w.token}
  PostgreSQL:  ${w.cluster.url}  (a throwaway cluster in ${w.cluster.dataDir}: removed on stop)
  Instances behind nginx (each also answers on its own port):
${rows.join("\n")}
${merchantLines(w.mock, w.pos, w.opts).join("\n")}

Watch failover: open the dashboard, then kill an instance, e.g.
    kill -9 ${first?.child.pid ?? "<pid>"}
Nothing on the screen changes beyond its stream reconnecting (nginx sends it to a live instance):
sales keep arriving, every instance pushes every sale (LISTEN/NOTIFY) and all store into the same
database, each sale once. A killed instance is not restarted; the demo says how many are left.
Press Ctrl-C to stop everything (the cluster's data goes with it).
`);
}
