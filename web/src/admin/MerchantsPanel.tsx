// The merchants admin page: point-of-sale accounts the server polls, as one admin resource.
import type { AdminMerchant, MerchantUpdate } from "../api/types";
import { formatDateTime, formatRelative } from "../format/time";
import { Field } from "./Dialog";
import {
  emptyMerchantForm,
  type MerchantForm,
  merchantChanges,
  merchantCreateBody,
  merchantHealth,
  merchantToForm,
  validateMerchant,
} from "./logic";
import { liveMerchants, merchantOrder } from "./merchant-live";
import { deleteMerchantMessage, merchantReplace } from "./merchant-messages";
import { enabledColumn, ResourcePanel } from "./ResourcePanel";
import type { AdminResource, Column, FieldsProps } from "./resource";
import { SourceFields } from "./SourceFields";
import { isKeyedSource, sourceLabel } from "./source-logic";

const columns: Column<AdminMerchant>[] = [
  {
    header: "ID",
    cell: (m) => (
      <td className="mono" data-label="ID">
        {m.id}
      </td>
    ),
  },
  {
    header: "Alias",
    cell: (m) => (
      <th scope="row" className="table__name">
        {m.alias}
        <span className="table__detail mono" title={m.public_key}>
          {m.public_key.length > 16 ? `${m.public_key.slice(0, 8)}…${m.public_key.slice(-6)}` : m.public_key}
        </span>
      </th>
    ),
  },
  { header: "Source", cell: (m) => <SourceCell merchant={m} /> },
  enabledColumn("merchant", (m) => `Poll ${m.alias}`),
  {
    header: "Last polled",
    cell: (m, { now }) => (
      <td data-label="Last polled" title={m.last_polled_at ? formatDateTime(m.last_polled_at) : undefined}>
        {pushedBy(m) ? "not polled" : m.last_polled_at ? formatRelative(m.last_polled_at, now) : "never"}
      </td>
    ),
  },
  { header: "Health", cell: (m) => <HealthCell merchant={m} /> },
];

/** Sources whose sales are pushed to the server rather than polled, by what pushes them. */
const PUSHED_BY: Record<string, string> = { wifi: "WiFi webhook" };
/** Sources the server polls (BTCPay and LNbits webhooks only make a poll come sooner). */
const POLLED = new Set(["pwf", "btcpay", "lnbits"]);

/** What feeds a merchant that is not polled (its sales arrive by webhook); undefined for a polled one. */
export function pushedBy(m: Pick<AdminMerchant, "source">): string | undefined {
  if (POLLED.has(m.source)) return undefined;
  return PUSHED_BY[m.source] ?? `${m.source} webhook`;
}

const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

/** The source's name, and for BTCPay or LNbits where it is and the key's masked tail. */
function SourceCell({ merchant: m }: { merchant: AdminMerchant }) {
  const shown = m.btcpay ?? m.lnbits;
  return (
    <td data-label="Source" data-testid="merchant-source" data-source={m.source}>
      {sourceLabel(m.source)}
      {shown ? (
        <span className="table__detail mono" title={shown.base_url}>
          {m.btcpay ? `${m.btcpay.store_id} @ ` : ""}
          {hostOf(shown.base_url)} · key {shown.api_key}
        </span>
      ) : null}
    </td>
  );
}

function HealthCell({ merchant: m }: { merchant: AdminMerchant }) {
  const feed = pushedBy(m);
  if (feed) {
    // Nothing is polled, so there is no polling health to show: say where its sales come from.
    return (
      <td data-label="Health">
        <span className="badge badge--pending" data-testid="merchant-health" data-health="webhook">
          {feed}
        </span>
      </td>
    );
  }
  const health = merchantHealth(m);
  return (
    <td data-label="Health">
      <span className={`badge badge--${health.kind}`} data-testid="merchant-health" data-health={health.kind}>
        {health.label}
      </span>
      {m.last_error ? (
        <span className="table__detail table__error" title={m.last_error} data-testid="merchant-last-error">
          {m.last_error}
        </span>
      ) : null}
    </td>
  );
}

function MerchantFields(props: FieldsProps<MerchantForm>) {
  const { form, errors, update, isEdit } = props;
  const source = form.source ?? "pwf";
  return (
    <>
      <Field
        label="Point of sale"
        id="merchant-source"
        hint={isEdit ? "A merchant keeps its source; add a new merchant for another one." : undefined}
      >
        {(a) => (
          <select
            {...a}
            className="input"
            value={source}
            disabled={isEdit}
            onChange={(e) => {
              const next = e.target.value;
              update({ source: next === "btcpay" || next === "lnbits" ? next : "pwf" });
            }}
            data-testid="merchant-form-source"
          >
            <option value="pwf">PayWithFlash</option>
            <option value="btcpay">BTCPay Server</option>
            <option value="lnbits">LNbits</option>
          </select>
        )}
      </Field>
      <Field
        label="Merchant ID"
        id="merchant-id"
        error={errors.id}
        hint="Letters, digits, “_” or “-”, up to 64."
      >
        {(a) => (
          <input
            {...a}
            className="input mono"
            value={form.id}
            onChange={(e) => update({ id: e.target.value })}
            readOnly={isEdit}
            data-autofocus={isEdit ? undefined : true}
            autoComplete="off"
            spellCheck={false}
            data-testid="merchant-form-id"
          />
        )}
      </Field>
      <Field label="Alias" id="merchant-alias" error={errors.alias} hint="The name shown on the big screen.">
        {(a) => (
          <input
            {...a}
            className="input"
            value={form.alias}
            onChange={(e) => update({ alias: e.target.value })}
            data-autofocus={isEdit ? true : undefined}
            autoComplete="off"
            data-testid="merchant-form-alias"
          />
        )}
      </Field>
      {isKeyedSource(source) ? (
        <SourceFields {...props} />
      ) : (
        <Field label="Public key" id="merchant-key" error={errors.public_key}>
          {(a) => (
            <input
              {...a}
              className="input mono"
              value={form.public_key}
              onChange={(e) => update({ public_key: e.target.value })}
              autoComplete="off"
              spellCheck={false}
              data-testid="merchant-form-key"
            />
          )}
        </Field>
      )}
    </>
  );
}

/** What the list shows for a merchant the server created without echoing it back. */
function assumedMerchant(form: MerchantForm): AdminMerchant {
  const now = new Date().toISOString();
  const placeholder = {
    id: "",
    public_key: "",
    alias: "",
    enabled: true,
    consecutive_failures: 0,
    source: "pwf",
  };
  const { id, public_key, alias, enabled, source } = merchantCreateBody(form);
  return {
    ...placeholder,
    created_at: now,
    updated_at: now,
    id,
    public_key: public_key ?? "",
    alias,
    enabled: enabled ?? true,
    source: source ?? "pwf",
  };
}

export const merchantResource: AdminResource<AdminMerchant, MerchantForm, MerchantUpdate> = {
  noun: "merchant",
  plural: "merchants",
  title: "Merchants",
  subtitle: "Point-of-sale accounts the server polls for sales: PayWithFlash, BTCPay Server or LNbits.",
  addLabel: "Add merchant",
  loadingText: "Loading merchants…",
  emptyText: "No merchants yet. Add the first one to start polling.",
  load: (api) => api.merchants(),
  order: merchantOrder,
  name: (m) => m.alias,
  columns,
  rowData: (m) => ({ "data-merchant-id": m.id }),
  actions: [
    {
      label: "Refetch",
      testId: "merchant-refetch",
      ariaLabel: (m) => `Refetch ${m.alias} now`,
      title: (m) =>
        pushedBy(m)
          ? `Sales come from the ${pushedBy(m)}; there is nothing to poll`
          : m.enabled
            ? "Poll this merchant now"
            : "Enable the merchant to poll it",
      disabled: (m, busy) => busy || !m.enabled || pushedBy(m) !== undefined,
      run: async (m, { call, notify, reload }) => {
        await call((api) => api.refetchMerchant(m.id));
        notify(`Refetching ${m.alias} now.`);
        // The poll runs in the background; look again once it has had time to land.
        setTimeout(() => void reload(true), 3000);
      },
    },
  ],
  update: (api, id, changes) => api.updateMerchant(id, changes),
  enabledNotice: (m, enabled) => `${m.alias} ${enabled ? "enabled" : "paused"}.`,
  remove: {
    title: "Delete merchant?",
    confirmLabel: "Delete merchant",
    message: (m) => deleteMerchantMessage(m),
    run: (api, id) => api.deleteMerchant(id),
    notice: (m) => `${m.alias} deleted.`,
  },
  form: {
    empty: emptyMerchantForm,
    fromItem: merchantToForm,
    validate: validateMerchant,
    create: async (api, form) => (await api.saveMerchant(merchantCreateBody(form))) ?? assumedMerchant(form),
    changes: merchantChanges,
    title: (m) => (m ? `Edit ${m.alias}` : "Add merchant"),
    createLabel: "Add merchant",
    enabledLabel: "Poll this merchant",
    savedNotice: (m, created) => (created ? `${m.alias} added.` : `${m.alias} saved.`),
    replace: merchantReplace,
    Fields: MerchantFields,
  },
  live: (tools) => liveMerchants(tools),
};

export function MerchantsPanel() {
  return <ResourcePanel resource={merchantResource} />;
}
