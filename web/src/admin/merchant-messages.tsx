// What the merchants page says before a change that costs data or silently replaces a merchant.
import { useEffect, useState } from "react";
import { type AdminApi, createPublicApi } from "../api/client";
import type { AdminMerchant, MerchantLeader } from "../api/types";
import { formatInteger } from "../format/number";
import type { MerchantForm } from "./logic";
import { sourceLabel } from "./source-logic";

/**
 * "Add merchant" is the API's upsert (the seed's contract): an id already in use replaces that
 * merchant's alias, key or settings and polling switch. Its sales stay, filed under the new alias.
 */
export const merchantReplace = {
  existing: async (api: AdminApi, form: MerchantForm): Promise<AdminMerchant | undefined> => {
    const id = form.id.trim();
    return (await api.merchants()).find((m) => m.id === id);
  },
  warning: (m: AdminMerchant) => (
    <p>
      A merchant with ID <span className="mono">{m.id}</span> already exists: <strong>{m.alias}</strong> (
      {sourceLabel(m.source)}). Adding replaces its alias, key and polling switch with these; its sales stay.
      Change the ID to add a new merchant, or replace it.
    </p>
  ),
  confirmLabel: (m: AdminMerchant) => `Replace ${m.alias}`,
  notice: (m: AdminMerchant) => `Merchant ${m.id} replaced: now ${m.alias}.`,
};

export interface MerchantSales {
  transactions: number;
  volume_sats: number;
}

const LEADERBOARD_MAX = 1000;

/**
 * A merchant's all-time sales from the all-time leaderboard (every merchant with a sale, by running
 * totals): absent from a list shorter than its limit means none; absent from a full one, unknown.
 */
export function salesOf(
  id: string,
  standings: MerchantLeader[],
  limit = LEADERBOARD_MAX,
): MerchantSales | undefined {
  const found = standings.find((s) => s.merchant_id === id);
  if (found) return { transactions: found.transactions, volume_sats: found.volume_sats };
  return standings.length < limit ? { transactions: 0, volume_sats: 0 } : undefined;
}

/** What deleting loses, in words and, once known, in numbers. */
export function deletedSalesText(sales: MerchantSales | undefined): string {
  const what =
    sales === undefined
      ? "All its sales are"
      : sales.transactions === 0
        ? "It has no sales yet; any that arrive before the delete are"
        : `Its ${formatInteger(sales.transactions)} sale${sales.transactions === 1 ? "" : "s"} (${formatInteger(sales.volume_sats)} sats) are`;
  return `${what} deleted with it: the big screen’s totals, leaderboards and charts drop by what it sold. This cannot be undone; to stop polling but keep its sales, switch it off instead.`;
}

function DeletedSales({ id }: { id: string }) {
  const [sales, setSales] = useState<MerchantSales | undefined>(undefined);
  useEffect(() => {
    let live = true;
    createPublicApi()
      .merchantLeaderboard({ window: "all", metric: "transactions", limit: LEADERBOARD_MAX })
      .then((list) => live && setSales(salesOf(id, list)))
      .catch(() => {}); // the words without the numbers still say what goes
    return () => {
      live = false;
    };
  }, [id]);
  return (
    <p data-testid="delete-merchant-data" data-sales={sales?.transactions}>
      {deletedSalesText(sales)}
    </p>
  );
}

/** The delete confirmation: the merchant's sales go with it, and so does their share of every total. */
export function deleteMerchantMessage(m: AdminMerchant) {
  return (
    <>
      <p>
        <strong>{m.alias}</strong> (ID {m.id}) will be removed and no longer polled.
      </p>
      <DeletedSales id={m.id} />
    </>
  );
}
