/**
 * Splits an upstream body, chunk by chunk as it arrives, into the elements of its sales lists and
 * the rest. A sales list is an array under a key reading "sales" (any case, underscores ignored, as
 * payload.ts's `field` reads keys) in an object under a key reading "data" in the top-level object:
 * every array `data.sales` may be, since which one `field` picks is known only at the end. Their
 * elements are JSON.parsed in runs (all the whole elements of a chunk at once) and handed on; the
 * rest of the body, the envelope, is kept as bytes with each list's contents replaced by its number,
 * and parsed once the body has ended.
 *
 * The scanner only tracks what JSON.parse cannot do on a part of a document: strings (with their
 * escapes), nesting depth and the keys of the first two levels. JSON.parse checks everything else,
 * each run and the envelope, so whatever it rejects in the whole body is rejected here too.
 * Multi-byte UTF-8 needs no care: every byte the scanner looks at is ASCII, and a run or the envelope
 * is decoded only once all its bytes are there.
 *
 * Measured against the alternatives, body bytes to IncomingSale[] on the mock's bodies, in alternating
 * runs on the 2-core development machine: 100k sales (33 MiB) 465-716 ms here, 820-909 ms for today's
 * JSON.parse of the whole body, 1,895-2,097 ms with @streamparser/json and 7,087-8,461 ms with
 * stream-json (both JS tokenizers, fed the same chunks); 1M sales (336 MiB) 2.5-3.4 s here against
 * 4.0-4.8 s whole. By these figures @streamparser/json would add about a second to a 100k cold poll
 * of 1.2-1.3 s, about a quarter of bare SQLite's rate instead of the half it must hold.
 */

import { BodySyntaxError, OversizedPart } from "./body-errors.js";
import {
  BACKSLASH,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
  type ScanState,
  scanElement,
} from "./json-bytes.js";

/** The first byte of a number, true, false or null. */
const STARTS_SCALAR = /[-0-9tfn]/;
/** A run's elements are parsed as one array. */
const RUN_OPEN = Buffer.from("[");
const RUN_CLOSE = Buffer.from("]");

/** What the key just read names: the value that may hold the sales lists, or one of them. */
const NO_VALUE = 0;
const DATA_VALUE = 1;
const SALES_VALUE = 2;

/** `list` numbers the sales lists in body order; the envelope holds `[list]` in place of each. */
export type SalesRun = (elements: unknown[], list: number) => void;

export class SalesScanner {
  /** Where the scan is in the body's nesting and strings. */
  private readonly at: ScanState = { depth: 0, inString: false, escaped: false };
  private topLevelSeen = false;
  private topIsObject = false;
  /** The object at depth 2 is the value of a "data" key of the top-level object. */
  private inData = false;
  /** After `{` or `,`: the next string of an object is a key. */
  private expectKey = false;
  /** Bytes of a key of the top-level or data object, while it is being read. */
  private key: Buffer[] | undefined;
  /** What the key just read names, until its value starts. */
  private keyNames = NO_VALUE;
  private valueNames = NO_VALUE;
  /** Number of the sales list being read, or -1 outside one. */
  private list = -1;
  private lists = 0;
  private listCommas = 0;
  /** Bytes of the list's current run from earlier chunks. */
  private run: Buffer[] = [];
  private runBytes = 0;
  private readonly envelope: Buffer[] = [];
  private envelopeBytes = 0;

  /** `maxPartBytes`: most the envelope, or the run carried from one chunk to the next, may hold. */
  constructor(
    private readonly onRun: SalesRun,
    private readonly maxPartBytes = Number.POSITIVE_INFINITY,
  ) {}

  write(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) i = this.list >= 0 ? this.scanList(chunk, i) : this.scanEnvelope(chunk, i);
  }

  /** The envelope, parsed, with `[n]` in place of the n-th sales list. */
  end(): unknown {
    if (this.list >= 0 || this.at.depth !== 0 || this.at.inString)
      throw new BodySyntaxError("the body ended inside a value");
    try {
      return JSON.parse(Buffer.concat(this.envelope).toString("utf8"));
    } catch (e) {
      throw new BodySyntaxError((e as Error).message);
    }
  }

  /**
   * Inside a sales list, where nearly all of a long history's bytes are: the chunk's whole elements go
   * out as one run, the rest waits for the next chunk. Returns where the list ended, or the chunk's
   * length.
   */
  private scanList(chunk: Buffer, from: number): number {
    const n = chunk.length;
    const closed = this.scanElements(chunk, from);
    if (closed >= 0) return this.endList(chunk, from, closed);
    if (this.lastComma >= 0) {
      this.emit(chunk.subarray(from, this.lastComma));
      from = this.lastComma + 1;
    }
    if (from < n) {
      this.run.push(chunk.subarray(from, n));
      this.runBytes += n - from;
      // Only a sale that spans chunks is carried: a chunk's whole sales went out above.
      if (this.runBytes > this.maxPartBytes) throw new OversizedPart("sale", this.maxPartBytes);
    }
    return n;
  }

  /** Index of the comma between the last two whole elements of the chunk read by scanElements, or -1. */
  private lastComma = -1;

  /**
   * The list's elements from `from` on: the index of its closing bracket, or -1 at the chunk's end.
   * Nothing follows its loop but returns: V8 (Node 20) compiles a long loop while it runs (on-stack
   * replacement), and code after it that had never run before then deoptimised on every later call,
   * about 1,200 times a 100k-sale poll, taking the scan from about 2 to 8 ns a byte.
   */
  private scanElements(chunk: Buffer, from: number): number {
    const n = chunk.length;
    let i = from;
    this.lastComma = -1;
    while (i < n) {
      i = scanElement(this.at, chunk, i);
      if (i >= n) return -1;
      if (chunk[i] !== COMMA) return i;
      this.lastComma = i++;
      this.listCommas++;
    }
    return -1;
  }

  /** The list's closing bracket at `at`: its last run, then the envelope again from the bracket on. */
  private endList(chunk: Buffer, from: number, at: number): number {
    if (chunk[at] !== CLOSE_ARRAY) throw new BodySyntaxError("a sales list closes with }");
    this.emit(chunk.subarray(from, at));
    this.list = -1;
    // The bracket itself is the envelope's again: scanEnvelope reads it (and leaves the list's depth).
    return at;
  }

  /** Parses the run so far ending with `tail`; a run of no element can only be an empty list's. */
  private emit(tail: Buffer): void {
    const bytes = Buffer.concat([RUN_OPEN, ...this.run, tail, RUN_CLOSE]);
    this.run = [];
    this.runBytes = 0;
    let elements: unknown[];
    try {
      elements = JSON.parse(bytes.toString("utf8")) as unknown[];
    } catch (e) {
      throw new BodySyntaxError((e as Error).message);
    }
    if (elements.length === 0 && this.listCommas > 0)
      throw new BodySyntaxError("a sales list has an empty element");
    if (elements.length > 0) this.onRun(elements, this.list);
  }

  /** Where this chunk's envelope bytes start (they are copied at the chunk's end or a list's start). */
  private envelopeFrom = 0;

  /** Outside the sales lists: every byte belongs to the envelope; keys of the first two levels are read. */
  private scanEnvelope(chunk: Buffer, from: number): number {
    const n = chunk.length;
    this.envelopeFrom = from;
    for (let i = from; i < n; i++) {
      const c = chunk[i] as number;
      if (this.at.inString) this.stringByte(chunk, c, i);
      else if (c === QUOTE) this.startString(i);
      else if (c === OPEN_OBJECT) this.openObject();
      else if (c === OPEN_ARRAY) {
        if (this.at.depth === 2 && this.valueNames === SALES_VALUE) return this.startList(chunk, i);
        this.openContainer();
        this.at.depth++;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (this.at.depth === 0) throw new BodySyntaxError("a bracket closes nothing");
        this.at.depth--;
        if (this.at.depth === 1) this.inData = false;
        this.valueNames = NO_VALUE;
      } else if (c === COMMA) {
        this.expectKey = true;
        this.valueNames = NO_VALUE;
      } else if (c === COLON) {
        this.valueNames = this.keyNames;
        this.keyNames = NO_VALUE;
      } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) this.openValue(c);
    }
    if (this.key) this.key.push(chunk.subarray(this.keyFrom, n));
    this.keyFrom = 0;
    this.hold(Buffer.from(chunk.subarray(this.envelopeFrom, n)));
    return n;
  }

  private hold(...parts: Buffer[]): void {
    for (const part of parts) {
      this.envelope.push(part);
      this.envelopeBytes += part.length;
    }
    if (this.envelopeBytes > this.maxPartBytes) throw new OversizedPart("envelope", this.maxPartBytes);
  }

  private keyFrom = 0;

  private stringByte(chunk: Buffer, c: number, i: number): void {
    if (this.at.escaped) this.at.escaped = false;
    else if (c === BACKSLASH) this.at.escaped = true;
    else if (c === QUOTE) {
      this.at.inString = false;
      if (this.key) this.endKey(chunk.subarray(this.keyFrom, i));
    }
  }

  private startString(i: number): void {
    this.startTopLevel();
    this.at.inString = true;
    const keyed = (this.at.depth === 1 && this.topIsObject) || (this.at.depth === 2 && this.inData);
    if (this.expectKey && keyed) {
      this.key = [];
      this.keyFrom = i + 1;
    }
    this.expectKey = false;
    this.valueNames = NO_VALUE;
  }

  private endKey(tail: Buffer): void {
    const raw = Buffer.concat([...(this.key ?? []), tail]).toString("utf8");
    this.key = undefined;
    let name: unknown;
    try {
      name = JSON.parse(`"${raw}"`);
    } catch (e) {
      throw new BodySyntaxError((e as Error).message);
    }
    const normal = typeof name === "string" ? name.replaceAll("_", "").toLowerCase() : "";
    if (this.at.depth === 1 && normal === "data") this.keyNames = DATA_VALUE;
    else if (this.at.depth === 2 && normal === "sales") this.keyNames = SALES_VALUE;
    else this.keyNames = NO_VALUE;
  }

  private openObject(): void {
    if (this.at.depth === 0) this.topIsObject = true;
    else if (this.at.depth === 1 && this.valueNames === DATA_VALUE) this.inData = true;
    this.openContainer();
    this.at.depth++;
    this.expectKey = true;
  }

  private openContainer(): void {
    this.startTopLevel();
    this.valueNames = NO_VALUE;
  }

  /** A scalar's byte: the value a key named is not an object or a list. */
  private openValue(c: number): void {
    if (this.at.depth === 0 && !this.topLevelSeen) {
      // An error page is refused at its first byte rather than kept whole until the body ends.
      if (!STARTS_SCALAR.test(String.fromCharCode(c))) throw new BodySyntaxError("the body is not JSON");
      this.topLevelSeen = true;
    }
    this.valueNames = NO_VALUE;
  }

  /**
   * A second value at the top level is not JSON; refused at once, so that no sales list inside it
   * is ever stored.
   */
  private startTopLevel(): void {
    if (this.at.depth !== 0) return;
    if (this.topLevelSeen) throw new BodySyntaxError("more than one value at the top level");
    this.topLevelSeen = true;
  }

  /** A sales list opens at `at`: the envelope gets `[n`, and the list's elements go to the runs. */
  private startList(chunk: Buffer, at: number): number {
    this.hold(Buffer.from(chunk.subarray(this.envelopeFrom, at + 1)), Buffer.from(String(this.lists)));
    this.list = this.lists++;
    this.listCommas = 0;
    this.valueNames = NO_VALUE;
    this.at.depth++;
    return at + 1;
  }
}
