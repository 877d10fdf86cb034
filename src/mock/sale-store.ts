/**
 * Column store for sales. A merchant may hold a million sales; one object per sale (plus one per
 * line) would cost hundreds of bytes each and stall the GC, typed columns cost about 50.
 */
export class SaleStore {
  length = 0;
  lineLength = 0;
  ids = new Float64Array(64);
  dates = new Float64Array(64);
  sats = new Float64Array(64);
  cents = new Float64Array(64);
  lineStart = new Uint32Array(64);
  lineCount = new Uint16Array(64);
  lineProduct = new Uint16Array(64);
  lineQuantity = new Uint32Array(64);
  lineUnitSats = new Float64Array(64);

  /** Grows capacity once for a known bulk insert instead of doubling repeatedly. */
  reserve(sales: number, lines: number): void {
    if (sales > this.ids.length) {
      this.ids = grow(this.ids, sales);
      this.dates = grow(this.dates, sales);
      this.sats = grow(this.sats, sales);
      this.cents = grow(this.cents, sales);
      this.lineStart = grow(this.lineStart, sales);
      this.lineCount = grow(this.lineCount, sales);
    }
    if (lines > this.lineProduct.length) {
      this.lineProduct = grow(this.lineProduct, lines);
      this.lineQuantity = grow(this.lineQuantity, lines);
      this.lineUnitSats = grow(this.lineUnitSats, lines);
    }
  }

  /** Appends a sale with no lines yet; its lines are the next `pushLine` calls. */
  push(id: number, date: number, sats: number, cents: number): number {
    const i = this.length;
    if (i === this.ids.length) this.reserve(i * 2, 0);
    this.ids[i] = id;
    this.dates[i] = date;
    this.sats[i] = sats;
    this.cents[i] = cents;
    this.lineStart[i] = this.lineLength;
    this.lineCount[i] = 0;
    this.length = i + 1;
    return i;
  }

  pushLine(product: number, quantity: number, unitSats: number): void {
    const j = this.lineLength;
    if (j === this.lineProduct.length) this.reserve(0, j * 2);
    this.lineProduct[j] = product;
    this.lineQuantity[j] = quantity;
    this.lineUnitSats[j] = unitSats;
    this.lineLength = j + 1;
    const last = this.length - 1;
    this.lineCount[last] = (this.lineCount[last] as number) + 1;
  }

  setTotals(i: number, sats: number, cents: number): void {
    this.sats[i] = sats;
    this.cents[i] = cents;
  }
}

type Column = Float64Array | Uint32Array | Uint16Array;

function grow<T extends Column>(column: T, capacity: number): T {
  const bigger = new (column.constructor as new (n: number) => T)(capacity);
  bigger.set(column);
  return bigger;
}
