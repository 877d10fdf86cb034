/**
 * Text as both engines can store it alike. PostgreSQL refuses U+0000 in text (error 22021) and SQLite
 * keeps it; an unpaired surrogate (JSON's `\ud800` escape can carry one) is written as UTF-8 by each
 * driver its own way (three U+FFFD on SQLite, one on PostgreSQL). Text from a client is refused
 * instead (api/body.ts); text from upstream is replaced with this, so one odd character never costs
 * a sale or a merchant's poll.
 */

export type Unstorable = "lone surrogate" | "NUL";

/** Which character refused as text `s` holds, if any: U+0000 or a surrogate without its pair. */
export function unstorable(s: string): Unstorable | undefined {
  if (!s.isWellFormed()) return "lone surrogate";
  return s.includes("\0") ? "NUL" : undefined;
}

/** `s` with each unpaired surrogate and each U+0000 replaced by U+FFFD (unchanged, the same string, if none). */
export function storableText(s: string): string {
  const formed = s.isWellFormed() ? s : s.toWellFormed();
  return formed.includes("\0") ? formed.replaceAll("\0", "\uFFFD") : formed;
}

/** A JSON.parse reviver that makes every string value storable (keys are read by name, never stored). */
export function storableStrings(_key: string, value: unknown): unknown {
  return typeof value === "string" ? storableText(value) : value;
}
