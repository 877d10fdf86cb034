import { describe, expect, it } from "vitest";
import { storableStrings, storableText, unstorable } from "./storable-text.js";

describe("storable text", () => {
  it("replaces each NUL and each unpaired surrogate with one U+FFFD, and keeps pairs", () => {
    expect(storableText("a\u0000b\u0000")).toBe("a\uFFFDb\uFFFD");
    expect(storableText("a\ud800b\udc00")).toBe("a\uFFFDb\uFFFD");
    expect(storableText("\ud83d\ude00 ☕")).toBe("😀 ☕");
    expect(unstorable("\ud83d\ude00")).toBe(undefined);
    expect(unstorable("x\ud83d")).toBe("lone surrogate");
    expect(unstorable("x\u0000")).toBe("NUL");
  });

  it("as a reviver, makes every string of a parsed answer storable, at any depth", () => {
    const parsed = JSON.parse('{"a":["\\u0000",{"b":"\\ud800"}],"n":1}', storableStrings);
    expect(parsed).toEqual({ a: ["\uFFFD", { b: "\uFFFD" }], n: 1 });
  });
});
