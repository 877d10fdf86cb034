/**
 * The LNbits mock's own idea of wallets and payments (shared/spec/pos-sources.md, "LNbits"), kept apart
 * from the wire format (format.ts) so one model can be served as 1.x or 0.x. Nothing here comes from
 * the server's parsers or types: a misreading of the format cannot hide on both sides.
 */
import { createHash } from "node:crypto";

/**
 * Which LNbits the wallet imitates: "1.4" (1.x format, lists default to 10 rows, at most 1000), "1.0"
 * (1.x format, no default limit) or "0.x" (pending bool, unix times, TPoS details as a JSON string;
 * limit, offset and sorting ignored: every list is the whole history, newest first).
 */
export type LnbitsVersion = "1.4" | "1.0" | "0.x";

export type PaymentStatus = "pending" | "success" | "failed";

export interface TposItemSpec {
  title: string;
  /** Fiat per unit. */
  price: number;
  quantity: number;
}

/** A TPoS sale: a cart priced in `currency`, converted at `satsPerUnit` (TPoS's exchangeRate). */
export interface TposSpec {
  tposId?: string;
  currency?: string;
  satsPerUnit: number;
  items?: TposItemSpec[];
  tipSats?: number;
}

export interface LnurlpSpec {
  link?: string;
  comment?: string | null;
  webhookData?: string | null;
  lnaddress?: string | null;
}

export interface PaymentSpec {
  /** 64 hex digits; derived from the wallet and a sequence number when absent. */
  hash?: string;
  /** Whole sats (or give `amountMsat`); TPoS payments default to the cart at the rate plus the tip. */
  amountSats?: number;
  amountMsat?: number;
  status?: PaymentStatus;
  /** Creation time, epoch ms (default: the mock's clock). */
  time?: number;
  expirySec?: number;
  memo?: string;
  tpos?: TposSpec;
  lnurlp?: LnurlpSpec;
  /**
   * "incoming" (default); "outgoing" (negative amount); "tip-forward" (TPoS sending a tip on: outgoing,
   * tagged tpos); "cash" (a TPoS cash settlement, no bitcoin moved).
   */
  kind?: "incoming" | "outgoing" | "tip-forward" | "cash";
  /** Core per-invoice webhook URL. */
  webhook?: string | null;
}

export interface MockPayment {
  hash: string;
  checkingId: string;
  amountMsat: number;
  feeMsat: number;
  status: PaymentStatus;
  createdMs: number;
  updatedMs: number;
  expirySec: number;
  memo: string;
  kind: NonNullable<PaymentSpec["kind"]>;
  tpos: TposSpec | null;
  lnurlp: LnurlpSpec | null;
  webhook: string | null;
  /** Fields written over the rendered JSON (undefined deletes one): a malformed row on purpose. */
  patch: Record<string, unknown> | null;
}

export interface MockWallet {
  id: string;
  name: string;
  /** The invoice/read key: what the service is configured with. */
  inkey: string;
  adminkey: string;
  version: LnbitsVersion;
  /** In insertion order; lists sort them. */
  payments: MockPayment[];
  seq: number;
}

export interface TruthLine {
  title: string;
  quantity: number;
  unitSats: number;
}

/** A sale as the mock knows it: what a correct client must store. */
export interface LnbitsTruthSale {
  hash: string;
  timeMs: number;
  amountSats: number;
  fiatAmount: number | null;
  currency: string | null;
  lines: TruthLine[];
  origin: string;
}

export function hex64(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

/** A wallet; its keys are derived from the name unless the invoice key is given. */
export function newWallet(name: string, inkey: string | undefined, version: LnbitsVersion): MockWallet {
  const key = inkey ?? hex64("inkey", name).slice(0, 32);
  return {
    id: hex64("wallet", key).slice(0, 32),
    name,
    inkey: key,
    adminkey: hex64("adminkey", key).slice(0, 32),
    version,
    payments: [],
    seq: 0,
  };
}

export function newPayment(wallet: MockWallet, spec: PaymentSpec, now: number): MockPayment {
  const hash = (spec.hash ?? hex64(wallet.id, "payment", String(++wallet.seq))).toLowerCase();
  const kind = spec.kind ?? "incoming";
  const sats = spec.amountSats ?? (spec.tpos ? cartSats(spec.tpos) + (spec.tpos.tipSats ?? 0) : 1000);
  let msat = spec.amountMsat ?? sats * 1000;
  if (kind === "outgoing" || kind === "tip-forward") msat = -Math.abs(msat);
  const created = spec.time ?? now;
  const status = spec.status ?? "success";
  return {
    hash,
    checkingId: kind === "cash" ? `internal_cash_${hash}` : hash,
    amountMsat: msat,
    feeMsat: msat < 0 ? -1000 : 0,
    status,
    createdMs: created,
    updatedMs: status === "pending" ? created : Math.max(created, now),
    expirySec: spec.expirySec ?? 3600,
    memo: spec.memo ?? defaultMemo(spec, sats),
    kind,
    tpos: spec.tpos ?? (kind === "tip-forward" || kind === "cash" ? { satsPerUnit: 1000 } : null),
    lnurlp: spec.lnurlp ?? null,
    webhook: spec.webhook ?? null,
    patch: null,
  };
}

function defaultMemo(spec: PaymentSpec, sats: number): string {
  if (spec.tpos) return `${sats} sats to TPoS ${spec.tpos.tposId ?? "Tp1"}`;
  if (spec.lnurlp) return "Pay link";
  return "Invoice";
}

/** The cart's sats without the tip: each item's fiat price at the rate, as TPoS prices it. */
export function cartSats(t: TposSpec): number {
  const fiat = (t.items ?? []).reduce((sum, i) => sum + i.price * i.quantity, 0);
  return Math.round(fiat * t.satsPerUnit);
}

/** The mock's own rule of what a sale is: paid, incoming, at least a sat, bitcoin moved. */
export function truthOf(p: MockPayment): LnbitsTruthSale | null {
  if (p.status !== "success" || p.kind !== "incoming" || p.amountMsat < 1000) return null;
  const amountSats = Math.floor(p.amountMsat / 1000);
  const t = p.tpos;
  const currency = t ? (t.currency ?? "USD").toLowerCase() : null;
  const fiatInSats = currency === "sat" || currency === "sats";
  const rate = t?.satsPerUnit ?? 1;
  return {
    hash: p.hash,
    timeMs: p.createdMs,
    amountSats,
    fiatAmount: t && !fiatInSats ? Math.round((amountSats / rate) * 100) / 100 : null,
    currency: t && !fiatInSats ? currency : null,
    lines: (t?.items ?? []).map((i) => ({
      title: i.title,
      quantity: i.quantity,
      unitSats: Math.round(i.price * rate),
    })),
    origin: t ? "tpos" : p.lnurlp ? "lnurlp" : "unknown",
  };
}
