/**
 * Node options the service runs with: `npm start` (package.json), the demo and the benchmark all start
 * `node ${SERVER_NODE_FLAGS} dist/main.js`, and a test checks package.json agrees.
 *
 * V8's young generation grows to 16 MiB semi-spaces under request load; most objects of a request die
 * young either way, so 4 MiB semi-spaces keep throughput and take about 40 MB less resident memory,
 * which is what keeps the service under its 150 MB budget with 2,000 streams open.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=4"];
