/**
 * How the service is started: `npm start` (package.json), the demo and the benchmark all run
 * `MALLOC_ARENA_MAX=2 node ${SERVER_NODE_FLAGS} dist/main.js`, and a test checks package.json agrees.
 *
 * V8's young generation grows to 16 MiB semi-spaces under request load; most objects of a request die
 * young either way, so 4 MiB semi-spaces keep throughput and take about 40 MB less resident memory.
 * glibc gives every thread that allocates (the ingest thread, libuv's pool) its own malloc arenas and
 * keeps freed memory in them; two arenas took another 15-25 MB off the peak under load.
 *
 * On a machine with gigabytes free V8 lets the old generation grow far before collecting it: with
 * 2,000 streams open the HTTP thread peaked near 155 MB resident. A 128 MB old generation (about
 * 25 MB is used with 2,000 streams, so 5,000 fit) makes it collect sooner: 134 MB peak in the same
 * run. The ingest thread sets its own, far larger limit (ingest/thread-client.ts): a first poll of a
 * long history is held whole while it is parsed.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4", "--max-old-space-size=128"];
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };
