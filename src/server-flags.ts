/**
 * How the service is started: `npm start` (package.json), the demo and the benchmark all run
 * `MALLOC_ARENA_MAX=2 node ${SERVER_NODE_FLAGS} dist/main.js`, and a test checks package.json agrees.
 *
 * V8's young generation grows to 16 MiB semi-spaces under request load; most objects of a request die
 * young either way, so 2 MiB semi-spaces keep throughput (about 1 µs more CPU per cached read than
 * 4 MiB, within the noise) and take about 45 MB less resident memory.
 * glibc gives every thread that allocates (the ingest thread, libuv's pool) its own malloc arenas and
 * keeps freed memory in them; two arenas took another 15-25 MB off the peak under load.
 *
 * On a machine with gigabytes free V8 lets the old generation grow far before collecting it: with
 * 2,000 streams open the HTTP thread peaked near 155 MB resident. A 128 MB old generation (about
 * 25 MB is used with 2,000 streams, so 5,000 fit) makes it collect sooner: 134 MB peak in the same
 * run. The ingest thread sets its own, far larger limit (ingest/thread-client.ts): it holds several
 * polls' bodies at once, each whole while it is parsed up to 8 MiB.
 *
 * After each full collection V8 lets a heap grow by a factor of up to 4 before the next. The ingest
 * thread keeps about 10 MB alive but its heap reached 40 MB between collections; growing by 20 % at
 * most took the peak with 2,000 streams from 160 to 138 MB at 10M sales (with 2 MiB semi-spaces), and
 * neither the cached-read cost nor the ingest thread's CPU share moved measurably.
 */
export const SERVER_NODE_FLAGS: readonly string[] = [
  "--max-semi-space-size=2",
  "--max-old-space-size=128",
  "--heap-growing-percent=20",
];
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };
