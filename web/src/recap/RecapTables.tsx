import type { ReactNode } from "react";
import type { Recap } from "../api/types";
import { formatInteger } from "../format/number";
import { formatDateTime } from "../format/time";

/** The recap's lists: merchants, top products and the milestones reached. */
export function RecapTables({ recap }: { recap: Recap }) {
  const alias = new Map(recap.merchants.map((m) => [m.merchant_id, m.alias]));
  return (
    <>
      <RecapSection
        id="merchants"
        title="Merchants"
        empty={recap.merchants.length === 0 && "No sales in this range."}
      >
        <StandingsTable
          id="merchants"
          names={["Merchant"]}
          rows={recap.merchants.map((m) => ({ key: m.merchant_id, names: [m.alias], ...m }))}
        />
      </RecapSection>
      <RecapSection
        id="products"
        title="Top products"
        empty={recap.top_products.length === 0 && "No product sold in this range."}
      >
        <StandingsTable
          id="products"
          names={["Product", "Merchant"]}
          rows={recap.top_products.map((p) => ({
            key: `${p.merchant_id}/${p.product_id}`,
            names: [p.name, alias.get(p.merchant_id) ?? p.merchant_id],
            ...p,
          }))}
        />
      </RecapSection>
      <RecapSection
        id="milestones"
        title="Milestones reached"
        empty={recap.milestones.length === 0 && "No milestone was reached in this range."}
      >
        <ol className="recap-milestones" data-testid="recap-milestones">
          {recap.milestones.map((m) => (
            <li key={m.id} data-testid="recap-milestone" data-at={m.triggered_at}>
              <span className="recap-milestones__name">{m.name}</span>{" "}
              <span className="recap-milestones__when">{formatDateTime(m.triggered_at)}</span>{" "}
              <span className="recap-milestones__totals">
                at {formatInteger(m.total_transactions)} sales, {formatInteger(m.total_volume_sats)} sats
              </span>
            </li>
          ))}
        </ol>
      </RecapSection>
    </>
  );
}

function RecapSection({
  id,
  title,
  empty,
  children,
}: {
  id: string;
  title: string;
  /** What to say instead of the content, when there is nothing to list. */
  empty: string | false;
  children: ReactNode;
}) {
  return (
    <section className="recap-section" aria-labelledby={`recap-${id}-title`}>
      <h2 className="recap-section__title" id={`recap-${id}-title`}>
        {title}
      </h2>
      {empty ? <p className="recap__sub">{empty}</p> : children}
    </section>
  );
}

/** Ranked rows: the rank, their names, then transactions and sats. */
function StandingsTable({
  id,
  names,
  rows,
}: {
  id: "merchants" | "products";
  names: string[];
  rows: { key: string; names: string[]; transactions: number; volume_sats: number }[];
}) {
  const row = id === "merchants" ? "recap-merchant-row" : "recap-product-row";
  return (
    <table className="recap-table" data-testid={`recap-${id}`}>
      <thead>
        <tr>
          <th scope="col">#</th>
          {names.map((n) => (
            <th key={n} scope="col">
              {n}
            </th>
          ))}
          <th scope="col" className="num">
            Transactions
          </th>
          <th scope="col" className="num">
            Volume (sats)
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={r.key} data-testid={row}>
            <td>{i + 1}</td>
            {r.names.map((n, j) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed; two may hold the same text
              <td key={j}>{n}</td>
            ))}
            <td className="num">{formatInteger(r.transactions)}</td>
            <td className="num">{formatInteger(r.volume_sats)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
