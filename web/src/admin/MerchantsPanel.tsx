import { useState } from "react";
import type { AdminMerchant } from "../api/types";
import { formatDateTime, formatRelative } from "../format/time";
import { useNow } from "../hooks/useNow";
import { useAdmin } from "./context";
import { ConfirmDialog, Dialog, Field, Switch } from "./Dialog";
import {
  describeError,
  emptyMerchantForm,
  type MerchantForm,
  merchantChanges,
  merchantCreateBody,
  merchantHealth,
  merchantToForm,
  validateMerchant,
} from "./logic";
import { useAdminList, useConfirm } from "./useAdminList";
import { useValidatedForm } from "./useValidatedForm";

type Editing = { mode: "add" } | { mode: "edit"; merchant: AdminMerchant };

export function MerchantsPanel() {
  const { items, setItems, error, loading, reload, admin } = useAdminList((api) => api.merchants());
  const confirm = useConfirm();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [busy, setBusy] = useState<Record<string, boolean>>({});
  const [rowError, setRowError] = useState<string | null>(null);
  const now = useNow(5000);

  const replace = (m: AdminMerchant) =>
    setItems((list) => {
      const rows = list ?? [];
      return rows.some((r) => r.id === m.id) ? rows.map((r) => (r.id === m.id ? m : r)) : [...rows, m];
    });

  const withBusy = async (id: string, fn: () => Promise<void>) => {
    setBusy((b) => ({ ...b, [id]: true }));
    setRowError(null);
    try {
      await fn();
    } catch (err) {
      setRowError(describeError(err));
    } finally {
      setBusy((b) => ({ ...b, [id]: false }));
    }
  };

  const toggle = (m: AdminMerchant, enabled: boolean) =>
    withBusy(m.id, async () => {
      const updated = await admin.call((api) => api.updateMerchant(m.id, { enabled }));
      replace(updated ?? { ...m, enabled });
      admin.notify(`${m.alias} ${enabled ? "enabled" : "paused"}.`);
    });

  const refetch = (m: AdminMerchant) =>
    withBusy(m.id, async () => {
      await admin.call((api) => api.refetchMerchant(m.id));
      admin.notify(`Refetching ${m.alias} now.`);
      setTimeout(() => void reload(true), 3000);
    });

  const askDelete = (m: AdminMerchant) =>
    confirm.ask({
      title: "Delete merchant?",
      message: (
        <p>
          <strong>{m.alias}</strong> (ID {m.id}) will be removed and no longer polled.
        </p>
      ),
      confirmLabel: "Delete merchant",
      action: async () => {
        await admin.call((api) => api.deleteMerchant(m.id));
        setItems((list) => (list ?? []).filter((r) => r.id !== m.id));
        admin.notify(`${m.alias} deleted.`);
      },
    });

  const sorted = [...(items ?? [])].sort((a, b) => a.alias.localeCompare(b.alias));

  return (
    <section className="panel" aria-labelledby="merchants-title">
      <header className="panel__header">
        <div>
          <h1 className="panel__title" id="merchants-title">
            Merchants
          </h1>
          <p className="panel__sub">Point-of-sale accounts the server polls for sales.</p>
        </div>
        <div className="panel__actions">
          <button type="button" className="btn" onClick={() => void reload()} disabled={loading}>
            {loading ? "Refreshing…" : "Refresh"}
          </button>
          <button
            type="button"
            className="btn btn--primary"
            onClick={() => setEditing({ mode: "add" })}
            data-testid="add-merchant"
          >
            Add merchant
          </button>
        </div>
      </header>

      {error || rowError ? (
        <p className="notice notice--error" role="alert" data-testid="admin-error">
          {rowError ?? error}
        </p>
      ) : null}

      <div className="table-wrap">
        <table className="table" data-testid="merchant-table">
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Alias</th>
              <th scope="col">Enabled</th>
              <th scope="col">Last polled</th>
              <th scope="col">Health</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items === null && !error ? (
              <tr>
                <td colSpan={6} className="table__empty">
                  Loading merchants…
                </td>
              </tr>
            ) : null}
            {items !== null && items.length === 0 ? (
              <tr>
                <td colSpan={6} className="table__empty">
                  No merchants yet. Add the first one to start polling.
                </td>
              </tr>
            ) : null}
            {sorted.map((m) => {
              const health = merchantHealth(m);
              return (
                <tr key={m.id} data-testid="merchant-row" data-merchant-id={m.id} data-enabled={m.enabled}>
                  <td className="mono" data-label="ID">
                    {m.id}
                  </td>
                  <th scope="row" className="table__name">
                    {m.alias}
                    <span className="table__detail mono" title={m.public_key}>
                      {m.public_key.length > 16
                        ? `${m.public_key.slice(0, 8)}…${m.public_key.slice(-6)}`
                        : m.public_key}
                    </span>
                  </th>
                  <td data-label="Enabled">
                    <Switch
                      checked={m.enabled}
                      label={`Poll ${m.alias}`}
                      onChange={(v) => void toggle(m, v)}
                      disabled={busy[m.id]}
                      testId="merchant-enabled"
                    />
                  </td>
                  <td
                    data-label="Last polled"
                    title={m.last_polled_at ? formatDateTime(m.last_polled_at) : undefined}
                  >
                    {m.last_polled_at ? formatRelative(m.last_polled_at, now) : "never"}
                  </td>
                  <td data-label="Health">
                    <span
                      className={`badge badge--${health.kind}`}
                      data-testid="merchant-health"
                      data-health={health.kind}
                    >
                      {health.label}
                    </span>
                    {m.last_error ? (
                      <span
                        className="table__detail table__error"
                        title={m.last_error}
                        data-testid="merchant-last-error"
                      >
                        {m.last_error}
                      </span>
                    ) : null}
                  </td>
                  <td className="table__actions">
                    <button
                      type="button"
                      className="btn btn--small"
                      onClick={() => setEditing({ mode: "edit", merchant: m })}
                      data-testid="merchant-edit"
                      aria-label={`Edit ${m.alias}`}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="btn btn--small"
                      onClick={() => void refetch(m)}
                      disabled={busy[m.id] || !m.enabled}
                      title={m.enabled ? "Poll this merchant now" : "Enable the merchant to poll it"}
                      data-testid="merchant-refetch"
                      aria-label={`Refetch ${m.alias} now`}
                    >
                      Refetch
                    </button>
                    <button
                      type="button"
                      className="btn btn--small btn--danger-ghost"
                      onClick={() => askDelete(m)}
                      data-testid="merchant-delete"
                      aria-label={`Delete ${m.alias}`}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      {editing ? (
        <MerchantDialog
          editing={editing}
          onClose={() => setEditing(null)}
          onSaved={(m, created) => {
            replace(m);
            setEditing(null);
            admin.notify(created ? `${m.alias} added.` : `${m.alias} saved.`);
          }}
        />
      ) : null}
      {confirm.request ? (
        <ConfirmDialog
          request={confirm.request}
          busy={confirm.busy}
          error={confirm.error}
          onConfirm={() => void confirm.confirm()}
          onCancel={confirm.cancel}
        />
      ) : null}
    </section>
  );
}

function MerchantDialog({
  editing,
  onClose,
  onSaved,
}: {
  editing: Editing;
  onClose: () => void;
  onSaved: (m: AdminMerchant, created: boolean) => void;
}) {
  const { call } = useAdmin();
  const { form, errors, serverError, saving, update, handleSubmit } = useValidatedForm<MerchantForm>(
    () => (editing.mode === "edit" ? merchantToForm(editing.merchant) : emptyMerchantForm()),
    validateMerchant,
  );

  const submit = handleSubmit(async (form) => {
    if (editing.mode === "add") {
      const created = await call((api) => api.saveMerchant(merchantCreateBody(form)));
      onSaved(created ?? { ...placeholder(), ...merchantCreateBody(form) }, true);
    } else {
      const changes = merchantChanges(editing.merchant, form);
      if (Object.keys(changes).length === 0) {
        onClose();
        return;
      }
      const saved = await call((api) => api.updateMerchant(editing.merchant.id, changes));
      onSaved(saved ?? { ...editing.merchant, ...changes }, false);
    }
  });

  const isEdit = editing.mode === "edit";
  return (
    <Dialog
      title={isEdit ? `Edit ${editing.merchant.alias}` : "Add merchant"}
      onClose={onClose}
      testId="merchant-dialog"
    >
      <form className="form" onSubmit={submit} noValidate data-testid="merchant-form">
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
        <Field
          label="Alias"
          id="merchant-alias"
          error={errors.alias}
          hint="The name shown on the big screen."
        >
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
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.enabled}
            onChange={(e) => update({ enabled: e.target.checked })}
            data-testid="merchant-form-enabled"
          />
          Poll this merchant
        </label>
        {serverError ? (
          <p className="form-error" role="alert" data-testid="merchant-form-error">
            {serverError}
          </p>
        ) : null}
        <div className="dialog__actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="btn btn--primary"
            disabled={saving}
            data-testid="merchant-form-submit"
          >
            {saving ? "Saving…" : isEdit ? "Save changes" : "Add merchant"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function placeholder(): AdminMerchant {
  const now = new Date().toISOString();
  return {
    id: "",
    public_key: "",
    alias: "",
    enabled: true,
    consecutive_failures: 0,
    created_at: now,
    updated_at: now,
  };
}
