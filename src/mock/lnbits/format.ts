/**
 * A mock payment in LNbits' wire format, written here by hand from shared/spec/pos-sources.md:
 * 1.x (`status`, integer msat, ISO `time`/`created_at`/`updated_at`, TPoS `details` an object with
 * item ids) or 0.x (`pending` bool, unix `time`/`expiry`, TPoS ≤0.7 extra with `tposId`, `tipAmount`
 * and `details` as a JSON string of items without ids).
 */
import { cartSats, type LnbitsVersion, type MockPayment, type MockWallet, type TposSpec } from "./model.js";

type Json = Record<string, unknown>;

export function paymentJson(w: MockWallet, p: MockPayment): Json {
  const json = w.version === "0.x" ? legacy(w, p) : current(w, p);
  for (const [k, v] of Object.entries(p.patch ?? {})) {
    if (v === undefined) delete json[k];
    else json[k] = v;
  }
  return json;
}

/** 1.x stores times zone-less in UTC and prints them with microseconds and +00:00. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000+00:00");
}

function current(w: MockWallet, p: MockPayment): Json {
  const extra = extraOf(p, "1.4");
  return {
    checking_id: p.checkingId,
    payment_hash: p.hash,
    wallet_id: w.id,
    amount: p.amountMsat,
    fee: p.feeMsat,
    bolt11: bolt11(p),
    payment_request: bolt11(p),
    fiat_provider: null,
    status: p.status,
    memo: p.memo,
    expiry: iso(p.createdMs + p.expirySec * 1000),
    webhook: p.webhook,
    webhook_status: null,
    preimage: p.status === "success" ? "0".repeat(64) : null,
    tag: typeof extra.tag === "string" ? extra.tag : null,
    extension: typeof extra.tag === "string" ? extra.tag : null,
    time: iso(p.createdMs),
    created_at: iso(p.createdMs),
    updated_at: iso(p.updatedMs),
    labels: [],
    extra,
  };
}

function legacy(w: MockWallet, p: MockPayment): Json {
  return {
    checking_id: p.checkingId,
    pending: p.status !== "success",
    amount: p.amountMsat,
    fee: p.feeMsat,
    memo: p.memo,
    time: Math.floor(p.createdMs / 1000),
    bolt11: bolt11(p),
    preimage: p.status === "success" ? "0".repeat(64) : "",
    payment_hash: p.hash,
    expiry: (p.createdMs + p.expirySec * 1000) / 1000,
    extra: extraOf(p, "0.x"),
    wallet_id: w.id,
    webhook: p.webhook,
    webhook_status: null,
  };
}

function bolt11(p: MockPayment): string {
  return `lnbc${Math.abs(Math.floor(p.amountMsat / 1000))}n1p${p.hash.slice(0, 40)}`;
}

function extraOf(p: MockPayment, version: LnbitsVersion): Json {
  if (p.kind === "tip-forward") return { tag: "tpos", tipSplitted: true };
  if (p.kind === "cash") return { tag: "tpos", paid_in_fiat: true, tpos_id: p.tpos?.tposId ?? "Tp1" };
  if (p.tpos) return version === "0.x" ? tposLegacy(p.tpos) : tposCurrent(p.tpos);
  if (p.lnurlp) {
    return {
      tag: "lnurlp",
      link: p.lnurlp.link ?? "Lp1",
      extra: null,
      comment: p.lnurlp.comment ?? null,
      webhook_data: p.lnurlp.webhookData ?? null,
      lnaddress: p.lnurlp.lnaddress ?? null,
    };
  }
  return {};
}

function tposCurrent(t: TposSpec): Json {
  const currency = t.currency ?? "USD";
  return {
    tag: "tpos",
    tpos_id: t.tposId ?? "Tp1",
    amount: cartSats(t),
    tip_amount: t.tipSats ?? null,
    exchangeRate: t.satsPerUnit,
    details: {
      currency,
      exchangeRate: t.satsPerUnit,
      taxIncluded: true,
      taxValue: 0,
      items:
        t.items === undefined
          ? null
          : t.items.map((i, id) => ({
              id,
              title: i.title,
              price: i.price,
              quantity: i.quantity,
              formattedPrice: `${i.price.toFixed(2)} ${currency}`,
              tax: 0,
            })),
    },
  };
}

function tposLegacy(t: TposSpec): Json {
  const details = {
    currency: t.currency ?? "USD",
    exchangeRate: t.satsPerUnit,
    items: (t.items ?? []).map((i) => ({ price: i.price, quantity: i.quantity, title: i.title, tax: 0 })),
  };
  return {
    tag: "tpos",
    tposId: t.tposId ?? "Tp1",
    tipAmount: t.tipSats ?? 0,
    amount: false,
    details: JSON.stringify(details),
  };
}
