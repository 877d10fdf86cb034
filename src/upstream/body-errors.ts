/** What reading an upstream answer's body can find wrong with it, before any row is looked at. */

/** A body that is not JSON, found mid-stream or at its end. */
export class BodySyntaxError extends Error {}

/**
 * What a streamed body's scanner must hold at once grew past its bound: the envelope (everything but
 * the sales, kept until the end) or the one sale being read. Without it an answer made of one long
 * string would be held whole, whatever its length.
 */
export class OversizedPart extends Error {
  constructor(
    readonly part: "envelope" | "sale",
    readonly limit: number,
  ) {
    super(`the ${part} is larger than ${limit} bytes`);
  }
}

/** The answer is longer than the client takes (MAX_UPSTREAM_BYTES): by its Content-Length, or as counted. */
export class AnswerTooLarge extends Error {
  constructor(
    readonly limit: number,
    readonly declared: number | undefined,
  ) {
    super(`the answer is larger than ${limit} bytes`);
  }
}
