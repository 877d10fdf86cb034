/**
 * Seeded randomness. Every stream is derived from the user's seed plus a label, so one merchant's
 * draws never depend on how many draws another merchant made (a 1M-sale bulk load on one merchant
 * leaves every other merchant's data unchanged).
 */
export type Rng = () => number;

/** mulberry32: tiny, fast, good enough for test data; returns floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes the seed with labels (FNV-1a over the text, then a murmur finaliser) into a 32-bit seed. */
export function deriveSeed(seed: number, ...labels: (string | number)[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0) ^ Math.floor(seed / 4294967296);
  for (const ch of labels.join("\u0000")) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function stream(seed: number, ...labels: (string | number)[]): Rng {
  return mulberry32(deriveSeed(seed, ...labels));
}

/** Integer in [min, max], both inclusive. */
export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Log-uniform, so a $1–$900 range yields many cheap items and a few expensive ones, like real shops. */
export function logUniform(rng: Rng, min: number, max: number): number {
  return Math.exp(Math.log(min) + rng() * (Math.log(max) - Math.log(min)));
}

export function gaussian(rng: Rng): number {
  const u = 1 - rng(); // (0, 1], keeps log finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * Poisson count for a mean of `lambda`: arrivals of independent customers. Knuth's method for small
 * means; a rounded normal approximation for large ones, where Knuth would loop thousands of times.
 */
export function poisson(rng: Rng, lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(rng)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

/** Rounds up with probability equal to the fraction, so small expected counts still add up over time. */
export function stochasticRound(rng: Rng, x: number): number {
  const whole = Math.floor(x);
  return whole + (rng() < x - whole ? 1 : 0);
}

export function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i] as T;
    items[i] = items[j] as T;
    items[j] = tmp;
  }
  return items;
}
