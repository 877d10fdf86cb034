/**
 * The sale ids a payload has listed so far, so that a repeated one is skipped (payload.ts). Upstream
 * lists a history in id order, newest first, and while ids keep one direction none can repeat an
 * earlier one: they are kept as the steps between them, a byte or three each (7 bits a byte), instead
 * of the twenty a Set<number> takes. A million ids in a Set held 24 MB of the server's 141 MB peak in
 * a streamed cold poll (117 MB without it). The first id against the direction turns them into a Set,
 * which an unordered history needs anyway.
 */
export class SeenSaleIds {
  private set: Set<number> | undefined;
  private steps = new Uint8Array(1024);
  private length = 0;
  private count = 0;
  private first = 0;
  private last = 0;
  /** 1 while ids rise, -1 while they fall, 0 before the second id. */
  private direction = 0;

  /** Adds `id` (a safe non-negative integer); false when it was listed before. */
  add(id: number): boolean {
    if (this.set) {
      if (this.set.has(id)) return false;
      this.set.add(id);
      return true;
    }
    if (this.count === 0) this.first = id;
    else {
      const step = id - this.last;
      const direction = step > 0 ? 1 : -1;
      if (step === 0 || (this.direction !== 0 && direction !== this.direction)) {
        this.set = this.toSet();
        return this.add(id);
      }
      this.direction = direction;
      this.append(Math.abs(step));
    }
    this.last = id;
    this.count++;
    return true;
  }

  private append(step: number): void {
    // Up to 8 bytes for a step of 2^53; arithmetic rather than bit operators, which stop at 2^31.
    if (this.length + 8 > this.steps.length) {
      const grown = new Uint8Array(this.steps.length * 2);
      grown.set(this.steps);
      this.steps = grown;
    }
    let v = step;
    while (v >= 128) {
      this.steps[this.length++] = (v % 128) + 128;
      v = Math.floor(v / 128);
    }
    this.steps[this.length++] = v;
  }

  private toSet(): Set<number> {
    const set = new Set<number>([this.first]);
    let id = this.first;
    let i = 0;
    while (i < this.length) {
      let step = 0;
      let scale = 1;
      let byte: number;
      do {
        byte = this.steps[i++] as number;
        step += (byte % 128) * scale;
        scale *= 128;
      } while (byte >= 128);
      id += this.direction * step;
      set.add(id);
    }
    this.steps = new Uint8Array(0);
    return set;
  }
}
