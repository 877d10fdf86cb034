/**
 * The bulk data set behind reads/push/memory (built by dataset-build.ts: polling 10M sales in would
 * take far longer than the benchmark may), cached in the OS temp dir, its dates moved to end now
 * before use when they have aged (recent-dates.ts), and copied for each server run.
 */
import { createHash } from "node:crypto";
import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { openDatabase } from "../../src/store/db.js";
import { type BuiltDataset, buildDataset, fmtCount, MERCHANTS, SEED } from "./dataset-build.js";
import { type DateMove, moveDatesToNow, newestSale } from "./recent-dates.js";

export { fmtCount, MERCHANTS, SEED };

/** Bump when the loader writes different rows, so old cache files are not reused. */
const LOADER_VERSION = 2;
const CACHE_DIR = path.join(os.tmpdir(), "live-pos-bench-cache");
/** A cached version of a size not used for this long is deleted when another is built. */
const UNUSED_MS = 6 * 3600_000;
/** The compiled derived-figure code: when it changes, cached files' precomputed figures may be stale. */
const ROLLUPS_JS = fileURLToPath(new URL("../../src/store/rollups.js", import.meta.url));

export interface Dataset {
  /** The cached file: never handed to a server (it writes); see workingCopy. */
  path: string;
  sales: number;
  saleLines: number;
  merchants: number;
  products: number;
  /** Set when this call generated the file. */
  loadMs?: number;
  /** The Market's "now" at generation: the newest sale was at most this, the oldest SPAN_MS before it. */
  generatedAt: number;
  /** The newest sale's date now: the dates were moved to end then, if not at generation. */
  datesEndAt: number;
  /** Set when this call moved the dates. */
  dateMove?: DateMove;
}

type Meta = BuiltDataset & { loadMs: number };

/**
 * The cached set of `sales` sales, built if missing, its dates moved to end now if its newest sale is
 * older than `maxDateAgeMs` (windowed reads need the last minutes filled; RSS under load less so).
 */
export async function ensureDataset(
  sales: number,
  log: (m: string) => void,
  maxDateAgeMs: number,
): Promise<Dataset> {
  const ds = await cachedOrBuilt(sales, log);
  const age = Date.now() - newestSale(ds.path);
  if (age <= maxDateAgeMs) return { ...ds, datesEndAt: Date.now() - age };
  const move = await moveDatesToNow(ds.path);
  const c = move.costMs;
  log(
    `data set ${fmtCount(sales)}: dates moved ${(move.shiftMs / 60_000).toFixed(1)} min forward to end now in ${(c.total / 1000).toFixed(1)} s (copy ${(c.copy / 1000).toFixed(1)} s, dates and their indexes ${(c.shift / 1000).toFixed(1)} s, rebuildDerived ${(c.rebuild / 1000).toFixed(1)} s)`,
  );
  return { ...ds, datesEndAt: newestSale(ds.path), dateMove: move };
}

async function cachedOrBuilt(
  sales: number,
  log: (m: string) => void,
): Promise<Omit<Dataset, "datesEndAt" | "dateMove">> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const key = await cacheKey(sales);
  const prefix = `sales-${sales}-seed-${SEED}-`;
  const file = path.join(CACHE_DIR, `${prefix}${key}.db`);
  const metaFile = `${file}.json`;
  // Its age does not matter here: ensureDataset moves aged dates to end now.
  if (existsSync(file) && existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, "utf8")) as Meta;
    log(`data set ${fmtCount(sales)}: cached ${path.basename(file)}`);
    // Marks it in use, so that a checkout of other code sharing the cache does not delete it.
    const now = new Date();
    utimesSync(metaFile, now, now);
    const { loadMs: _cachedLoad, ...rest } = meta;
    return { ...rest, path: file };
  }
  // 10M sales are a few GB, so other versions of a size go once unused for a while; not at once,
  // since two checkouts (worktrees) benchmarked by turns would otherwise rebuild each other's.
  for (const f of readdirSync(CACHE_DIR)) {
    if (!f.startsWith(prefix)) continue;
    // A version's files (.db, .db.json, leftovers of an interrupted build) go by its meta's last use.
    const db = path.join(CACHE_DIR, f.slice(0, f.indexOf(".db") + 3));
    const lastUse = existsSync(`${db}.json`) ? `${db}.json` : path.join(CACHE_DIR, f);
    if (Date.now() - statSync(lastUse).mtimeMs > UNUSED_MS) rmSync(path.join(CACHE_DIR, f), { force: true });
  }
  log(`data set ${fmtCount(sales)}: generating (1,000 merchants, seed ${SEED})`);
  const partial = `${file}.partial`;
  const started = Date.now();
  const meta = await buildDataset(partial, sales, log);
  renameSync(partial, file);
  const loadMs = Date.now() - started;
  writeFileSync(metaFile, JSON.stringify({ ...meta, loadMs }));
  log(`data set ${fmtCount(sales)}: built in ${(loadMs / 1000).toFixed(0)} s`);
  return { ...meta, path: file, loadMs };
}

/** A private copy for one server run: the server ingests live sales into it. */
export function workingCopy(ds: Dataset, dir: string): string {
  const target = path.join(dir, "bench.db");
  for (const suffix of ["", "-wal", "-shm"]) rmSync(target + suffix, { force: true });
  copyFileSync(ds.path, target);
  // The copy (1.5 GB at 10M sales) would otherwise be written back by the kernel during the first
  // half minute of the measurement, on the same two vCPUs and disk as the server.
  const fd = openSync(target, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return target;
}

/** Size, seed, the schema's migration names and the derived-figure code decide whether a file is reusable. */
async function cacheKey(sales: number): Promise<string> {
  const probe = path.join(os.tmpdir(), `live-pos-bench-probe-${process.pid}.db`);
  const store = await openDatabase(probe);
  let names: string[];
  try {
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      store.db,
    );
    names = rows.rows.map((r) => r.name);
  } finally {
    await store.close();
    for (const suffix of ["", "-wal", "-shm"]) rmSync(probe + suffix, { force: true });
  }
  const rollups = createHash("sha256").update(readFileSync(ROLLUPS_JS)).digest("hex");
  const material = JSON.stringify({
    v: LOADER_VERSION,
    sales,
    seed: SEED,
    merchants: MERCHANTS,
    names,
    rollups,
  });
  return createHash("sha256").update(material).digest("hex").slice(0, 12);
}
