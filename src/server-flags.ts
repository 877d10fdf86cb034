/**
 * How the service is started: `npm start` (package.json), the demo and the benchmark all run
 * `MALLOC_ARENA_MAX=2 node ${SERVER_NODE_FLAGS} dist/main.js`, and a test checks package.json agrees.
 *
 * V8's young generation grows to 16 MiB semi-spaces under request load; most objects of a request die
 * young either way, so 4 MiB semi-spaces keep throughput and take about 40 MB less resident memory.
 * glibc gives every thread that allocates (the reader worker, libuv's pool) its own malloc arenas and
 * keeps freed memory in them; two arenas took another 15-25 MB off the peak under load. Together they
 * keep the service near its 150 MB budget with 2,000 streams open.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };
