/**
 * PollWrites (poll-seam.ts) on PostgreSQL: each method one statement (or a few) on the transaction's
 * own connection, whatever the batch's size. A batch travels as arrays, one per column, unnested by
 * the server: a poll of a thousand sales is one insert, not a thousand round trips. The upserts add
 * to what is stored (`x = x + excluded.x`), so two instances adding to one merchant's hour at once
 * both count; the sales' unique key decides which of two writers stores a sale, and only the sales
 * an insert answers with reach the rollups (the seam's contract).
 */
import { type Kysely, sql } from "kysely";
import type { IncomingSale, ProductFigures } from "../poll-contents.js";
import type {
  BucketSums,
  Delivery,
  MerchantPollState,
  PollRecord,
  PollWrites,
  ProductBucketSums,
  ProductSums,
} from "../poll-seam.js";
import { POLLED_SOURCE } from "../poll-statements.js";
import type { Database } from "../schema.js";

/** Sales per insert: bounds one statement's message (a million-sale history is many of them). */
const SALE_CHUNK = 5000;

export class PostgresPollWrites implements PollWrites {
  constructor(private readonly on: Kysely<Database>) {}

  async merchantPollState(merchantId: string): Promise<MerchantPollState | undefined> {
    const { rows } = await sql<MerchantPollState>`
      select alias, body_digest, last_error from merchants where id = ${merchantId}`.execute(this.on);
    return rows[0];
  }

  async stamp(times: ReadonlyMap<string, number>): Promise<void> {
    if (times.size === 0) return;
    await sql`
      update merchants set last_polled_at = t.at
      from unnest(${[...times.keys()]}::text[], ${[...times.values()]}::bigint[]) as t (id, at)
      where merchants.id = t.id and (merchants.last_polled_at is null or merchants.last_polled_at < t.at)`.execute(
      this.on,
    );
  }

  async maxSaleId(merchantId: string): Promise<number | null> {
    const { rows } = await sql<{ max: number | null }>`
      select max(sale_id) as max from transactions where merchant_id = ${merchantId}`.execute(this.on);
    return rows[0]?.max ?? null;
  }

  async storedBlock(merchantId: string, lo: number, hi: number): Promise<{ n: number; sum: number }> {
    const { rows } = await sql<{ n: number; sum: number }>`
      select count(*) as n, coalesce(sum(sale_id), 0) as sum from transactions
      where merchant_id = ${merchantId} and sale_id between ${lo} and ${hi}`.execute(this.on);
    return rows[0] ?? { n: 0, sum: 0 };
  }

  async storedSales(merchantId: string, saleIds: readonly number[]): Promise<Set<number>> {
    if (saleIds.length === 0) return new Set();
    const { rows } = await sql<{ sale_id: number }>`
      select sale_id from transactions
      where merchant_id = ${merchantId} and sale_id = any(${[...saleIds]}::bigint[])`.execute(this.on);
    return new Set(rows.map((r) => r.sale_id));
  }

  async insertSales(merchantId: string, sales: IncomingSale[], now: number): Promise<IncomingSale[]> {
    // Oldest first, as on SQLite: row ids then follow sale ids (the ticker's tie-break on equal dates).
    const ordered =
      sales.length > 1 && (sales[0] as IncomingSale).saleId > (sales.at(-1) as IncomingSale).saleId;
    const oldestFirst = ordered ? sales.toReversed() : sales;
    const inserted = new Set<number>();
    for (let i = 0; i < oldestFirst.length; i += SALE_CHUNK) {
      const chunk = oldestFirst.slice(i, i + SALE_CHUNK);
      for (const id of await this.insertChunk(merchantId, chunk, now)) inserted.add(id);
    }
    if (inserted.size === sales.length) return sales;
    // A duplicate id within one answer is inserted once: the first of them (in the caller's order) counts.
    const taken = new Set<number>();
    return sales.filter((s) => {
      if (!inserted.has(s.saleId) || taken.has(s.saleId)) return false;
      taken.add(s.saleId);
      return true;
    });
  }

  /** One chunk's sales and, for those it really inserted, their lines; resolves to the inserted ids. */
  private async insertChunk(merchantId: string, sales: IncomingSale[], now: number): Promise<number[]> {
    const { rows } = await sql<{ sale_id: number }>`
      insert into transactions
        (merchant_id, sale_id, sale_origin, sale_date, amount_sats, fiat_amount, currency, created_at, source)
      select ${merchantId}, s.sale_id, s.origin, s.sale_date, s.amount_sats, s.fiat_amount, s.currency, ${now},
        ${POLLED_SOURCE}
      from unnest(${sales.map((s) => s.saleId)}::bigint[], ${sales.map((s) => s.origin)}::text[],
        ${sales.map((s) => s.date)}::bigint[], ${sales.map((s) => s.amountSats)}::bigint[],
        ${sales.map((s) => s.fiatAmount)}::double precision[], ${sales.map((s) => s.currency)}::text[])
        with ordinality as s (sale_id, origin, sale_date, amount_sats, fiat_amount, currency, ord)
      order by s.ord
      on conflict (merchant_id, sale_id) do nothing
      returning sale_id`.execute(this.on);
    const ids = rows.map((r) => r.sale_id);
    const fresh = new Set(ids);
    const seen = new Set<number>();
    const lines: { saleId: number; lineNo: number; line: IncomingSale["lines"][number] }[] = [];
    for (const s of sales) {
      if (!fresh.has(s.saleId) || seen.has(s.saleId)) continue;
      seen.add(s.saleId);
      for (const [lineNo, line] of s.lines.entries()) lines.push({ saleId: s.saleId, lineNo, line });
    }
    if (lines.length > 0) await this.insertLines(merchantId, lines);
    return ids;
  }

  private async insertLines(
    merchantId: string,
    lines: { saleId: number; lineNo: number; line: IncomingSale["lines"][number] }[],
  ): Promise<void> {
    await sql`
      insert into sale_lines (merchant_id, sale_id, line_no, product_id, name, quantity, unit_sats)
      select ${merchantId}, l.sale_id, l.line_no, l.product_id, l.name, l.quantity, l.unit_sats
      from unnest(${lines.map((l) => l.saleId)}::bigint[], ${lines.map((l) => l.lineNo)}::bigint[],
        ${lines.map((l) => l.line.productId)}::bigint[], ${lines.map((l) => l.line.name)}::text[],
        ${lines.map((l) => l.line.quantity)}::double precision[], ${lines.map((l) => l.line.unitSats)}::bigint[])
        as l (sale_id, line_no, product_id, name, quantity, unit_sats)
      on conflict (merchant_id, sale_id, line_no) do nothing`.execute(this.on);
  }

  async addToHourRollups(merchantId: string, hours: readonly BucketSums[]): Promise<void> {
    await this.addToBuckets("sales_by_hour", "hour", merchantId, hours);
  }

  async addToProductHourRollups(merchantId: string, hours: readonly ProductBucketSums[]): Promise<void> {
    await this.addToProductBuckets("product_sales_by_hour", "hour", merchantId, hours);
  }

  async addToProductTotals(merchantId: string, products: readonly ProductSums[]): Promise<void> {
    if (products.length === 0) return;
    await sql`
      insert into product_sales_totals (merchant_id, product_id, transactions, volume_sats)
      select ${merchantId}, p.product_id, p.transactions, p.volume_sats
      from unnest(${products.map((p) => p.productId)}::bigint[], ${products.map((p) => p.transactions)}::bigint[],
        ${products.map((p) => p.volumeSats)}::bigint[]) as p (product_id, transactions, volume_sats)
      on conflict (merchant_id, product_id) do update set
        transactions = product_sales_totals.transactions + excluded.transactions,
        volume_sats = product_sales_totals.volume_sats + excluded.volume_sats`.execute(this.on);
  }

  async minuteCoverage(): Promise<number> {
    const { rows } = await sql<{ from: number }>`
      select complete_from as "from" from minute_rollup_coverage`.execute(this.on);
    return rows[0]?.from ?? 0;
  }

  async moveMinuteCoverage(from: number): Promise<void> {
    // Never back: another instance may have moved it further meanwhile.
    await sql`update minute_rollup_coverage set complete_from = greatest(complete_from, ${from})`.execute(
      this.on,
    );
    await sql`delete from sales_by_minute where minute < ${from}`.execute(this.on);
    await sql`delete from product_sales_by_minute where minute < ${from}`.execute(this.on);
  }

  async addToMinuteRollups(merchantId: string, minutes: readonly BucketSums[]): Promise<void> {
    await this.addToBuckets("sales_by_minute", "minute", merchantId, minutes);
  }

  async addToProductMinuteRollups(merchantId: string, minutes: readonly ProductBucketSums[]): Promise<void> {
    await this.addToProductBuckets("product_sales_by_minute", "minute", merchantId, minutes);
  }

  private async addToBuckets(
    table: "sales_by_hour" | "sales_by_minute",
    bucket: "hour" | "minute",
    merchantId: string,
    rows: readonly BucketSums[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const [t, b] = [sql.table(table), sql.ref(bucket)];
    await sql`
      insert into ${t} (${b}, merchant_id, transactions, volume_sats)
      select r.bucket, ${merchantId}, r.transactions, r.volume_sats
      from unnest(${rows.map((r) => r.bucket)}::bigint[], ${rows.map((r) => r.transactions)}::bigint[],
        ${rows.map((r) => r.volumeSats)}::bigint[]) as r (bucket, transactions, volume_sats)
      on conflict (${b}, merchant_id) do update set
        transactions = ${t}.transactions + excluded.transactions,
        volume_sats = ${t}.volume_sats + excluded.volume_sats`.execute(this.on);
  }

  private async addToProductBuckets(
    table: "product_sales_by_hour" | "product_sales_by_minute",
    bucket: "hour" | "minute",
    merchantId: string,
    rows: readonly ProductBucketSums[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const [t, b] = [sql.table(table), sql.ref(bucket)];
    await sql`
      insert into ${t} (${b}, merchant_id, product_id, transactions, volume_sats)
      select r.bucket, ${merchantId}, r.product_id, r.transactions, r.volume_sats
      from unnest(${rows.map((r) => r.bucket)}::bigint[], ${rows.map((r) => r.productId)}::bigint[],
        ${rows.map((r) => r.transactions)}::bigint[], ${rows.map((r) => r.volumeSats)}::bigint[])
        as r (bucket, product_id, transactions, volume_sats)
      on conflict (${b}, merchant_id, product_id) do update set
        transactions = ${t}.transactions + excluded.transactions,
        volume_sats = ${t}.volume_sats + excluded.volume_sats`.execute(this.on);
  }

  async addToFiatTotals(merchantId: string, amounts: ReadonlyMap<string, number>): Promise<void> {
    if (amounts.size === 0) return;
    await sql`
      insert into fiat_totals (merchant_id, currency, amount)
      select ${merchantId}, f.currency, f.amount
      from unnest(${[...amounts.keys()]}::text[], ${[...amounts.values()]}::double precision[]) as f (currency, amount)
      on conflict (merchant_id, currency) do update set amount = fiat_totals.amount + excluded.amount`.execute(
      this.on,
    );
  }

  async addToTotals(merchantId: string, transactions: number, volumeSats: number): Promise<void> {
    await sql`
      update merchants set total_transactions = total_transactions + ${transactions},
        total_volume_sats = total_volume_sats + ${volumeSats}
      where id = ${merchantId}`.execute(this.on);
  }

  async recordPoll(merchantId: string, p: PollRecord): Promise<void> {
    await sql`
      update merchants set total_transactions = total_transactions + ${p.transactions},
        total_volume_sats = total_volume_sats + ${p.volumeSats},
        last_polled_at = ${p.now}, last_error = null, consecutive_failures = 0,
        body_digest = coalesce(${p.digest}::text, body_digest),
        skipped_rows = coalesce(${p.skipped}::bigint, skipped_rows),
        skipped_rows_total = skipped_rows_total + coalesce(${p.skipped}::bigint, 0)
      where id = ${merchantId}`.execute(this.on);
  }

  async upsertProducts(
    merchantId: string,
    products: readonly ProductFigures[],
    now: number,
  ): Promise<boolean> {
    if (products.length === 0) return false;
    const col = <K extends keyof ProductFigures>(k: K) => products.map((p) => p[k]);
    // A re-poll that changes nothing writes nothing (and keeps updated_at meaningful): the update's
    // condition; any row inserted or updated is answered, so "changed" is whether any came back.
    const { rows } = await sql<{ product_id: number }>`
      insert into products (merchant_id, product_id, name, currency, price, total_transactions,
        total_units_sold, total_revenue_sats, active, deleted, updated_at)
      select ${merchantId}, p.product_id, p.name, p.currency, p.price, p.total_transactions, p.total_units_sold,
        p.total_revenue_sats, p.active, p.deleted, ${now}
      from unnest(${col("productId")}::bigint[], ${col("name")}::text[], ${col("currency")}::text[],
        ${col("price")}::text[], ${col("totalTransactions")}::bigint[], ${col("totalUnitsSold")}::bigint[],
        ${col("totalRevenueSats")}::bigint[], ${products.map((p) => (p.active ? 1 : 0))}::integer[],
        ${products.map((p) => (p.deleted ? 1 : 0))}::integer[])
        as p (product_id, name, currency, price, total_transactions, total_units_sold, total_revenue_sats,
          active, deleted)
      on conflict (merchant_id, product_id) do update set
        name = excluded.name, currency = excluded.currency, price = excluded.price,
        total_transactions = excluded.total_transactions, total_units_sold = excluded.total_units_sold,
        total_revenue_sats = excluded.total_revenue_sats, active = excluded.active, deleted = excluded.deleted,
        updated_at = excluded.updated_at
      where (products.name, products.currency, products.price, products.total_transactions,
          products.total_units_sold, products.total_revenue_sats, products.active, products.deleted)
        is distinct from (excluded.name, excluded.currency, excluded.price, excluded.total_transactions,
          excluded.total_units_sold, excluded.total_revenue_sats, excluded.active, excluded.deleted)
      returning product_id`.execute(this.on);
    return rows.length > 0;
  }

  async saleHooks(): Promise<{ id: number; created_at: number }[]> {
    const { rows } = await sql<{ id: number; created_at: number }>`
      select id, created_at from webhooks where on_sale = 1 order by id`.execute(this.on);
    return rows;
  }

  async enqueueDeliveries(deliveries: readonly Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    await sql`
      insert into webhook_deliveries
        (delivery_id, webhook_id, event, body, status, attempts, next_attempt_at, created_at)
      select d.delivery_id, d.webhook_id, d.event, d.body, 'pending', 0, d.at, d.at
      from unnest(${deliveries.map((d) => d.deliveryId)}::text[], ${deliveries.map((d) => d.webhookId)}::bigint[],
        ${deliveries.map((d) => d.event)}::text[], ${deliveries.map((d) => d.body)}::text[],
        ${deliveries.map((d) => d.at)}::bigint[]) with ordinality as d (delivery_id, webhook_id, event, body, at, ord)
      order by d.ord`.execute(this.on);
  }

  async armedMilestones(): Promise<boolean> {
    const { rows } = await sql<{ armed: boolean }>`
      select exists (select 1 from milestones where enabled = 1 and triggered_at is null) as armed`.execute(
      this.on,
    );
    return rows[0]?.armed === true;
  }
}
