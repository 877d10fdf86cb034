/**
 * Sizes as operators write them: a whole number of bytes, or one with a unit, binary (`KiB`, `MiB`,
 * `GiB`) or decimal (`KB`, `MB`, `GB`), in any case (`1GiB`, `512 MiB`, `64kb`).
 */
const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
};

/** The number of bytes, or undefined when `raw` is no size. */
export function parseByteSize(raw: string): number | undefined {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = UNIT_BYTES[(m?.[2] || "b").toLowerCase()];
  if (!m || unit === undefined) return undefined;
  const bytes = Number(m[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** The largest binary unit that divides it (`1 GiB`, `640 KiB`), else plain bytes. */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 2 ** 30],
    ["MiB", 2 ** 20],
    ["KiB", 2 ** 10],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
