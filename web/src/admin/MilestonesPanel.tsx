import { useState } from "react";
import type { AdminMilestone } from "../api/types";
import { formatInteger } from "../format/number";
import { formatDateTime, formatRelative } from "../format/time";
import { useNow } from "../hooks/useNow";
import { useAdmin } from "./context";
import { ConfirmDialog, Dialog, Field, Switch } from "./Dialog";
import {
  describeError,
  emptyMilestoneForm,
  type MilestoneForm,
  milestoneChanges,
  milestoneCreateBody,
  milestoneToForm,
  validateMilestone,
} from "./logic";
import { useAdminList, useConfirm } from "./useAdminList";
import { useValidatedForm } from "./useValidatedForm";

type Editing = { mode: "add" } | { mode: "edit"; milestone: AdminMilestone };

function thresholdText(m: Pick<AdminMilestone, "type" | "threshold">): string {
  return `${formatInteger(m.threshold)} ${m.type === "volume" ? "sats" : "transactions"}`;
}

export function MilestonesPanel() {
  const { items, setItems, error, loading, reload, admin } = useAdminList((api) => api.milestones());
  const confirm = useConfirm();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [busy, setBusy] = useState<Record<number, boolean>>({});
  const [rowError, setRowError] = useState<string | null>(null);
  const now = useNow(5000);

  const replace = (m: AdminMilestone) =>
    setItems((list) => {
      const rows = list ?? [];
      return rows.some((r) => r.id === m.id) ? rows.map((r) => (r.id === m.id ? m : r)) : [...rows, m];
    });

  const withBusy = async (id: number, fn: () => Promise<void>) => {
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

  const toggle = (m: AdminMilestone, enabled: boolean) =>
    withBusy(m.id, async () => {
      const updated = await admin.call((api) => api.updateMilestone(m.id, { enabled }));
      replace(updated ?? { ...m, enabled });
      admin.notify(`“${m.name}” ${enabled ? "enabled" : "disabled"}.`);
    });

  const rearm = (m: AdminMilestone) =>
    withBusy(m.id, async () => {
      const updated = await admin.call((api) => api.updateMilestone(m.id, { reset_trigger: true }));
      replace(updated ?? { ...m, triggered: false, triggered_at: undefined });
      admin.notify(`“${m.name}” re-armed: it will fire again when the threshold is crossed.`);
    });

  const askDelete = (m: AdminMilestone) =>
    confirm.ask({
      title: "Delete milestone?",
      message: (
        <p>
          <strong>{m.name}</strong> ({thresholdText(m)}) will be deleted.
        </p>
      ),
      confirmLabel: "Delete milestone",
      action: async () => {
        await admin.call((api) => api.deleteMilestone(m.id));
        setItems((list) => (list ?? []).filter((r) => r.id !== m.id));
        admin.notify(`“${m.name}” deleted.`);
      },
    });

  const sorted = [...(items ?? [])].sort((a, b) => a.type.localeCompare(b.type) || a.threshold - b.threshold);

  return (
    <section className="panel" aria-labelledby="milestones-title">
      <header className="panel__header">
        <div>
          <h1 className="panel__title" id="milestones-title">
            Milestones
          </h1>
          <p className="panel__sub">Thresholds that put a celebration on the big screen once crossed.</p>
        </div>
        <div className="panel__actions">
          <button type="button" className="btn" onClick={() => void reload()} disabled={loading}>
            {loading ? "Refreshing…" : "Refresh"}
          </button>
          <button
            type="button"
            className="btn btn--primary"
            onClick={() => setEditing({ mode: "add" })}
            data-testid="add-milestone"
          >
            New milestone
          </button>
        </div>
      </header>

      {error || rowError ? (
        <p className="notice notice--error" role="alert" data-testid="admin-error">
          {rowError ?? error}
        </p>
      ) : null}

      <div className="table-wrap">
        <table className="table" data-testid="milestone-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col" className="num">
                Threshold
              </th>
              <th scope="col">Enabled</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items === null && !error ? (
              <tr>
                <td colSpan={6} className="table__empty">
                  Loading milestones…
                </td>
              </tr>
            ) : null}
            {items !== null && items.length === 0 ? (
              <tr>
                <td colSpan={6} className="table__empty">
                  No milestones yet. Create one, e.g. “1 Million Sats”.
                </td>
              </tr>
            ) : null}
            {sorted.map((m) => (
              <tr
                key={m.id}
                data-testid="milestone-row"
                data-milestone-id={m.id}
                data-triggered={m.triggered}
                data-enabled={m.enabled}
              >
                <th scope="row" className="table__name">
                  {m.name}
                </th>
                <td data-label="Type">{m.type === "volume" ? "Volume (sats)" : "Transactions"}</td>
                <td className="num mono" data-label="Threshold">
                  {formatInteger(m.threshold)}
                </td>
                <td data-label="Enabled">
                  <Switch
                    checked={m.enabled}
                    label={`Enable ${m.name}`}
                    onChange={(v) => void toggle(m, v)}
                    disabled={busy[m.id]}
                    testId="milestone-enabled"
                  />
                </td>
                <td data-label="Status">
                  {m.triggered ? (
                    <>
                      <span className="badge badge--triggered" data-testid="milestone-state">
                        Triggered
                      </span>
                      <span
                        className="table__detail"
                        title={m.triggered_at ? formatDateTime(m.triggered_at) : undefined}
                      >
                        {m.triggered_at
                          ? `${formatDateTime(m.triggered_at)} · ${formatRelative(m.triggered_at, now)}`
                          : "time unknown"}
                      </span>
                    </>
                  ) : (
                    <span
                      className={`badge badge--${m.enabled ? "armed" : "paused"}`}
                      data-testid="milestone-state"
                    >
                      {m.enabled ? "Armed" : "Disabled"}
                    </span>
                  )}
                </td>
                <td className="table__actions">
                  <button
                    type="button"
                    className="btn btn--small"
                    onClick={() => setEditing({ mode: "edit", milestone: m })}
                    data-testid="milestone-edit"
                    aria-label={`Edit ${m.name}`}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="btn btn--small"
                    onClick={() => void rearm(m)}
                    disabled={!m.triggered || busy[m.id]}
                    title={m.triggered ? "Let it fire again" : "Not triggered yet"}
                    data-testid="milestone-rearm"
                    aria-label={`Re-arm ${m.name}`}
                  >
                    Re-arm
                  </button>
                  <button
                    type="button"
                    className="btn btn--small btn--danger-ghost"
                    onClick={() => askDelete(m)}
                    data-testid="milestone-delete"
                    aria-label={`Delete ${m.name}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {editing ? (
        <MilestoneDialog
          editing={editing}
          onClose={() => setEditing(null)}
          onSaved={(m, created) => {
            replace(m);
            setEditing(null);
            admin.notify(created ? `“${m.name}” created.` : `“${m.name}” saved.`);
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

function MilestoneDialog({
  editing,
  onClose,
  onSaved,
}: {
  editing: Editing;
  onClose: () => void;
  onSaved: (m: AdminMilestone, created: boolean) => void;
}) {
  const { call } = useAdmin();
  const { form, errors, serverError, saving, update, handleSubmit } = useValidatedForm<MilestoneForm>(
    () => (editing.mode === "edit" ? milestoneToForm(editing.milestone) : emptyMilestoneForm()),
    validateMilestone,
  );

  const submit = handleSubmit(async (form) => {
    if (editing.mode === "add") {
      const body = milestoneCreateBody(form);
      const created = await call((api) => api.createMilestone(body));
      const stamp = new Date().toISOString();
      onSaved(
        created ?? {
          id: -Date.now(),
          triggered: false,
          created_at: stamp,
          updated_at: stamp,
          enabled: true,
          ...body,
        },
        true,
      );
    } else {
      const changes = milestoneChanges(editing.milestone, form);
      if (Object.keys(changes).length === 0) {
        onClose();
        return;
      }
      const saved = await call((api) => api.updateMilestone(editing.milestone.id, changes));
      onSaved(saved ?? { ...editing.milestone, ...changes }, false);
    }
  });

  const isEdit = editing.mode === "edit";
  return (
    <Dialog
      title={isEdit ? `Edit “${editing.milestone.name}”` : "New milestone"}
      onClose={onClose}
      testId="milestone-dialog"
    >
      <form className="form" onSubmit={submit} noValidate data-testid="milestone-form">
        <Field label="Name" id="milestone-name" error={errors.name} hint="Shown full-screen when it fires.">
          {(a) => (
            <input
              {...a}
              className="input"
              value={form.name}
              onChange={(e) => update({ name: e.target.value })}
              data-autofocus
              autoComplete="off"
              data-testid="milestone-form-name"
            />
          )}
        </Field>
        <Field label="Type" id="milestone-type" error={errors.type}>
          {(a) => (
            <select
              {...a}
              className="input"
              value={form.type}
              onChange={(e) =>
                update({ type: e.target.value === "transactions" ? "transactions" : "volume" })
              }
              data-testid="milestone-form-type"
            >
              <option value="volume">Volume — total sats</option>
              <option value="transactions">Transactions — total count</option>
            </select>
          )}
        </Field>
        <Field
          label={`Threshold (${form.type === "volume" ? "sats" : "transactions"})`}
          id="milestone-threshold"
          error={errors.threshold}
          hint="A whole number; separators like 1,000,000 are fine."
        >
          {(a) => (
            <input
              {...a}
              className="input mono"
              inputMode="numeric"
              value={form.threshold}
              onChange={(e) => update({ threshold: e.target.value })}
              autoComplete="off"
              data-testid="milestone-form-threshold"
            />
          )}
        </Field>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.enabled}
            onChange={(e) => update({ enabled: e.target.checked })}
            data-testid="milestone-form-enabled"
          />
          Enabled
        </label>
        {serverError ? (
          <p className="form-error" role="alert" data-testid="milestone-form-error">
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
            data-testid="milestone-form-submit"
          >
            {saving ? "Saving…" : isEdit ? "Save changes" : "Create milestone"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
