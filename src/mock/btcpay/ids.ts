/**
 * Identifiers as BTCPay writes them, deterministic for a seed: invoice and delivery ids are base58
 * strings of about 22 characters (BTCPay's Encoders.Base58 of 16 random bytes), payment ids hex.
 */
import { createHash } from "node:crypto";

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

function base58(bytes: Buffer): string {
  let n = BigInt(`0x${bytes.toString("hex")}`);
  let out = "";
  while (n > 0n) {
    out = (ALPHABET[Number(n % 58n)] as string) + out;
    n /= 58n;
  }
  return out;
}

function digest(parts: readonly (string | number)[]): Buffer {
  return createHash("sha256").update(parts.join("\u0000")).digest();
}

/** A base58 id from 16 bytes of the digest of `parts`. */
export function base58Id(...parts: (string | number)[]): string {
  return base58(digest(parts).subarray(0, 16));
}

/** 64 hex characters (a Lightning payment hash, a transaction id). */
export function hexId(...parts: (string | number)[]): string {
  return digest(parts).toString("hex");
}
