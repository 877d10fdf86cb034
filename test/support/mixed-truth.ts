/**
 * What the service must show for a mixed event, from the three mocks' own ground truth: every sale
 * each source counts (PWF: every served sale; BTCPay: settled invoices; LNbits: successful incoming
 * payments), with its time, sats, fiat and lines. A BTCPay line's unit sats are recounted here by the
 * rule the README gives (its list price's share of what the invoice brought), from the invoice's cart.
 */
import type { GroundTruthProduct } from "../../src/mock/index.js";
import type { MixedEvent, SourceName } from "./mixed-event.js";

export interface ExpectedLine {
  name: string;
  quantity: number;
  unitSats: number;
  /** PWF products can be inactive upstream: leaderboards leave those out. */
  active: boolean;
}

export interface ExpectedSale {
  merchantId: string;
  source: SourceName;
  /** The ticker row's identity: `merchant:sale_id` (PWF) or `merchant:external_id`. */
  key: string;
  saleId?: number;
  externalId?: string;
  date: number;
  sats: number;
  fiat: number | null;
  currency: string | null;
  lines: ExpectedLine[];
}

export interface Expected {
  sales: ExpectedSale[];
  /** PWF's cumulative product figures (the all-time product leaderboard shows them as they are). */
  pwfProducts: Map<string, GroundTruthProduct[]>;
}

type CartItem = { id: string; title?: string; price: number; count: number };

function cartOf(metadata: Record<string, unknown>): CartItem[] {
  let pos = metadata.posData;
  if (typeof pos === "string") pos = JSON.parse(pos);
  const cart = (pos as { cart?: CartItem[] } | undefined)?.cart;
  return Array.isArray(cart) ? cart : [];
}

export function expectedOf(e: MixedEvent): Expected {
  const sales: ExpectedSale[] = [];
  const pwfProducts = new Map<string, GroundTruthProduct[]>();
  for (const m of e.pwf.groundTruth().merchants) {
    pwfProducts.set(m.id, m.products);
    const byId = new Map(m.products.map((p) => [p.productId, p]));
    for (const s of m.sales) {
      if (!s.served) continue;
      sales.push({
        merchantId: m.id,
        source: "pwf",
        key: `${m.id}:${s.saleId}`,
        saleId: s.saleId,
        date: s.date,
        sats: s.amountSats,
        fiat: s.fiatAmount,
        currency: s.currency,
        lines: s.lines.map((l) => ({
          name: byId.get(l.productId)?.name ?? l.name,
          quantity: l.quantity,
          unitSats: l.unitSats,
          active: byId.get(l.productId)?.active ?? false,
        })),
      });
    }
  }
  for (const m of e.merchants) {
    if (m.source === "btcpay") {
      const names = e.itemNames.get(m.upstreamKey) ?? new Map<string, string>();
      for (const s of e.btcpay.groundTruth(m.upstreamKey)[0]?.sales ?? []) {
        const inv = e.btcpay.invoice(m.upstreamKey, s.invoiceId);
        const cart = cartOf(inv.metadata);
        const amount = Number(inv.amount);
        sales.push({
          merchantId: m.id,
          source: "btcpay",
          key: `${m.id}:${s.invoiceId}`,
          externalId: s.invoiceId,
          date: s.paidAt * 1000,
          sats: s.sats,
          fiat: s.fiat,
          currency: s.currency,
          lines: s.lines.map((l) => {
            const item = cart.find((c) => c.id === l.itemId);
            const price = item?.price ?? amount;
            return {
              name: item?.title ?? names.get(l.itemId) ?? l.itemId,
              quantity: l.quantity,
              unitSats: Math.round((s.sats * price) / amount),
              active: true,
            };
          }),
        });
      }
    }
    if (m.source === "lnbits") {
      for (const s of e.lnbits.groundTruth(m.upstreamKey)) {
        sales.push({
          merchantId: m.id,
          source: "lnbits",
          key: `${m.id}:${s.hash}`,
          externalId: s.hash,
          date: s.timeMs,
          sats: s.amountSats,
          fiat: s.fiatAmount,
          currency: s.currency,
          lines: s.lines.map((l) => ({ ...l, name: l.title, active: true })),
        });
      }
    }
  }
  return { sales, pwfProducts };
}

export const round2 = (n: number) => Math.round(n * 100) / 100;

/** Count and sats per merchant of these sales. */
export function perMerchant(sales: readonly ExpectedSale[]) {
  const rows = new Map<string, { merchant_id: string; transactions: number; volume_sats: number }>();
  for (const s of sales) {
    const row = rows.get(s.merchantId) ?? { merchant_id: s.merchantId, transactions: 0, volume_sats: 0 };
    row.transactions++;
    row.volume_sats += s.sats;
    rows.set(s.merchantId, row);
  }
  return [...rows.values()].sort((a, b) => a.merchant_id.localeCompare(b.merchant_id));
}

/** Fiat per currency, as the summary adds it up (amounts to the cent). */
export function fiatVolume(sales: readonly ExpectedSale[]) {
  const sums = new Map<string, number>();
  for (const s of sales)
    if (s.fiat !== null && s.currency !== null) sums.set(s.currency, (sums.get(s.currency) ?? 0) + s.fiat);
  return [...sums.entries()]
    .map(([currency, amount]) => ({ currency, amount: round2(amount) }))
    .sort((a, b) => a.currency.localeCompare(b.currency));
}

/** Products recounted from the lines: sales containing each, and Σ round(quantity × unit sats). */
export function productsFromLines(sales: readonly ExpectedSale[]) {
  const rows = new Map<
    string,
    { merchant_id: string; name: string; transactions: number; volume_sats: number }
  >();
  for (const s of sales) {
    const seen = new Set<string>();
    for (const l of s.lines) {
      if (!l.active) continue;
      const k = `${s.merchantId}\u0000${l.name}`;
      const row = rows.get(k) ?? { merchant_id: s.merchantId, name: l.name, transactions: 0, volume_sats: 0 };
      if (!seen.has(k)) row.transactions++;
      seen.add(k);
      row.volume_sats += Math.round(l.quantity * l.unitSats);
      rows.set(k, row);
    }
  }
  return sortProducts([...rows.values()]);
}

export function sortProducts<T extends { merchant_id: string; name: string }>(rows: T[]): T[] {
  return rows.sort((a, b) => a.merchant_id.localeCompare(b.merchant_id) || a.name.localeCompare(b.name));
}
