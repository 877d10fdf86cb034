import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Plugin } from "vite";

/** Text the server sends as files; fonts (woff2) and images are compressed already. */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|map|webmanifest|xml|ico)$/i;
/** Below this a compressed copy saves less than a packet. */
const MIN_BYTES = 1024;

/**
 * After `vite build` writes dist/web, puts a brotli (quality 11) and a gzip (level 9) copy beside each
 * text file that is worth it, once, at build: the server sends them by content negotiation
 * (@fastify/static's preCompressed), so phones on a venue's Wi-Fi get the app compressed at no CPU
 * cost per request. A copy no smaller than its file is not kept.
 */
export function precompress(): Plugin {
  let outDir = "";
  return {
    name: "live-pos-precompress",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      let files = 0;
      for (const file of walk(outDir)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const bytes = readFileSync(file);
        if (bytes.length < MIN_BYTES) continue;
        const br = brotliCompressSync(bytes, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
          },
        });
        const gz = gzipSync(bytes, { level: 9 });
        if (br.length < bytes.length) writeFileSync(`${file}.br`, br);
        if (gz.length < bytes.length) writeFileSync(`${file}.gz`, gz);
        files++;
      }
      this.info(`precompressed ${files} files (brotli and gzip)`);
    },
  };
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (!/\.(?:br|gz)$/.test(name)) yield path;
  }
}
