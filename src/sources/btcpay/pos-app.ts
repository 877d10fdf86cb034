/**
 * Item titles from a Point of Sale app (`GET /api/v1/apps/pos/{appId}`: `items[]` `{id, title, price}`),
 * for cart lines that name no title. Pure; anything unreadable is left out, never fatal: titles only
 * make product names nicer, the sale stands without them.
 */
import { isObj } from "../source-sale.js";
import type { ItemTitles } from "./cart.js";

export function parsePosAppTitles(body: unknown): ItemTitles {
  const titles = new Map<string, string>();
  if (!isObj(body) || !Array.isArray(body.items)) return titles;
  for (const item of body.items) {
    if (!isObj(item)) continue;
    const id = typeof item.id === "number" ? String(item.id) : item.id;
    const title = item.title;
    if (typeof id !== "string" || id.trim() === "" || typeof title !== "string" || title.trim() === "")
      continue;
    titles.set(id.trim(), title.trim());
  }
  return titles;
}
