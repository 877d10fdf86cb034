// For component tests that render to static markup in Node (no DOM): find elements by data-testid.
import { expect } from "vitest";

/** Parses markup with a tiny attribute scanner: every element carrying data-testid=`id`. */
export function byTestId(html: string, id: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  const tag = /<([a-z0-9]+)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*)\s*\/?>/g;
  for (const m of html.matchAll(tag)) {
    const attrs: Record<string, string> = { tag: m[1] ?? "" };
    for (const a of (m[2] ?? "").matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?/g)) {
      attrs[a[1] ?? ""] = (a[2] ?? "").replace(/&amp;/g, "&").replace(/&quot;/g, '"');
    }
    if (attrs["data-testid"] === id) out.push(attrs);
  }
  return out;
}

export function one(html: string, id: string): Record<string, string> {
  const found = byTestId(html, id);
  expect(found, `exactly one data-testid="${id}"`).toHaveLength(1);
  return found[0] as Record<string, string>;
}
