import { useEffect, useState } from "react";
import "./exports.css";
import type { AdminMerchant, ExportFormat, ExportKind } from "../api/types";
import { useAdmin } from "./context";
import { Field } from "./Dialog";
import { describeError } from "./logic";

const KINDS: { kind: ExportKind; label: string; note: string }[] = [
  { kind: "sales", label: "Sales", note: "one row per sale, with fiat, currency, source and external id" },
  { kind: "lines", label: "Sale lines", note: "every product line of every sale" },
  { kind: "products", label: "Products", note: "the catalogue and its all-time figures; not dated" },
  { kind: "triggers", label: "Milestone triggers", note: "every milestone reached; no merchant or source" },
];
const FORMATS: ExportFormat[] = ["csv", "ndjson"];

interface Filters {
  merchantId: string;
  source: string;
  /** datetime-local values, in this browser's time zone. */
  from: string;
  to: string;
}

/** The query of one kind: only the filters its rows carry (the server refuses the others). */
export function exportQuery(kind: ExportKind, f: Filters): Record<string, string | undefined> {
  const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);
  const byMerchant = kind !== "triggers";
  const dated = kind !== "products";
  return {
    merchant_id: byMerchant && f.merchantId ? f.merchantId : undefined,
    source: byMerchant && f.source ? f.source : undefined,
    from: dated ? iso(f.from) : undefined,
    to: dated ? iso(f.to) : undefined,
  };
}

/** Hands a downloaded file to the browser to save, under the server's name for it. */
function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // The click has handed the file over; the URL is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Downloads of the stored data (GET /v1/admin/exports/…) with the filters chosen here. The admin token
 * goes in a header of a fetch, never in a link's URL; the file is then saved from memory.
 */
export function ExportsPanel() {
  const { call, notify } = useAdmin();
  const [merchants, setMerchants] = useState<AdminMerchant[]>([]);
  const [filters, setFilters] = useState<Filters>({ merchantId: "", source: "", from: "", to: "" });
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    call((api) => api.merchants()).then(setMerchants, (err: unknown) => setError(describeError(err)));
  }, [call]);

  const update = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const run = async (kind: ExportKind, format: ExportFormat) => {
    setBusy(`${kind}.${format}`);
    setError(null);
    try {
      const file = await call((api) => api.exportFile(kind, format, exportQuery(kind, filters)));
      save(file.blob, file.filename);
      notify(`Downloaded ${file.filename}.`);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="panel" aria-labelledby="exports-title" data-testid="exports-panel">
      <header className="panel__header">
        <div>
          <h1 className="panel__title" id="exports-title">
            Exports
          </h1>
          <p className="panel__sub">
            Everything stored, as CSV (for spreadsheets) or NDJSON (one JSON object a line), filtered below.
            Times are this browser's; from is inclusive, to exclusive.
          </p>
        </div>
      </header>
      <ExportFilters filters={filters} merchants={merchants} update={update} />
      {error ? (
        <p className="notice notice--error" role="alert" data-testid="export-error">
          {error}
        </p>
      ) : null}
      <ul className="exports-list">
        {KINDS.map(({ kind, label, note }) => (
          <li key={kind} className="exports-list__item">
            <div>
              <p className="table__name">{label}</p>
              <p className="table__detail">{note}</p>
            </div>
            <div className="panel__actions">
              {FORMATS.map((format) => (
                <button
                  key={format}
                  type="button"
                  className="btn btn--small"
                  disabled={busy !== null}
                  onClick={() => void run(kind, format)}
                  data-testid={`export-${kind}-${format}`}
                >
                  {busy === `${kind}.${format}` ? "Preparing…" : format.toUpperCase()}
                </button>
              ))}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ExportFilters({
  filters,
  merchants,
  update,
}: {
  filters: Filters;
  merchants: AdminMerchant[];
  update: (patch: Partial<Filters>) => void;
}) {
  const sources = [...new Set(merchants.map((m) => m.source))].sort();
  return (
    <div className="form exports-filters">
      <Field id="export-merchant" label="Merchant">
        {(p) => (
          <select
            {...p}
            className="input"
            value={filters.merchantId}
            onChange={(e) => update({ merchantId: e.target.value })}
          >
            <option value="">All merchants</option>
            {merchants.map((m) => (
              <option key={m.id} value={m.id}>
                {m.alias} ({m.id})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="export-source" label="Source">
        {(p) => (
          <select
            {...p}
            className="input"
            value={filters.source}
            onChange={(e) => update({ source: e.target.value })}
          >
            <option value="">All sources</option>
            {sources.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field id="export-from" label="From">
        {(p) => (
          <input
            {...p}
            className="input"
            type="datetime-local"
            value={filters.from}
            onChange={(e) => update({ from: e.target.value })}
          />
        )}
      </Field>
      <Field id="export-to" label="To">
        {(p) => (
          <input
            {...p}
            className="input"
            type="datetime-local"
            value={filters.to}
            onChange={(e) => update({ to: e.target.value })}
          />
        )}
      </Field>
    </div>
  );
}
