// The milestones admin page: thresholds that put a celebration on the big screen, as one admin resource.
import type { AdminMilestone, MilestoneUpdate } from "../api/types";
import { formatInteger } from "../format/number";
import { formatDateTime, formatRelative } from "../format/time";
import { Field } from "./Dialog";
import {
  emptyMilestoneForm,
  type MilestoneForm,
  milestoneChanges,
  milestoneCreateBody,
  milestoneToForm,
  validateMilestone,
} from "./logic";
import { enabledColumn, ResourcePanel } from "./ResourcePanel";
import { rearmOutcome } from "./rearm";
import type { AdminResource, Column, FieldsProps } from "./resource";

function thresholdText(m: Pick<AdminMilestone, "type" | "threshold">): string {
  return `${formatInteger(m.threshold)} ${m.type === "volume" ? "sats" : "transactions"}`;
}

const columns: Column<AdminMilestone>[] = [
  {
    header: "Name",
    cell: (m) => (
      <th scope="row" className="table__name">
        {m.name}
      </th>
    ),
  },
  {
    header: "Type",
    cell: (m) => <td data-label="Type">{m.type === "volume" ? "Volume (sats)" : "Transactions"}</td>,
  },
  {
    header: "Threshold",
    headerClassName: "num",
    cell: (m) => (
      <td className="num mono" data-label="Threshold">
        {formatInteger(m.threshold)}
      </td>
    ),
  },
  enabledColumn("milestone", (m) => `Enable ${m.name}`),
  { header: "Status", cell: (m, { now }) => <StatusCell milestone={m} now={now} /> },
];

function StatusCell({ milestone: m, now }: { milestone: AdminMilestone; now: number }) {
  return (
    <td data-label="Status">
      {m.triggered ? (
        <>
          <span className="badge badge--triggered" data-testid="milestone-state">
            Triggered
          </span>
          <span className="table__detail" title={m.triggered_at ? formatDateTime(m.triggered_at) : undefined}>
            {m.triggered_at
              ? `${formatDateTime(m.triggered_at)} · ${formatRelative(m.triggered_at, now)}`
              : "time unknown"}
          </span>
        </>
      ) : (
        <span className={`badge badge--${m.enabled ? "armed" : "paused"}`} data-testid="milestone-state">
          {m.enabled ? "Armed" : "Disabled"}
        </span>
      )}
    </td>
  );
}

function MilestoneFields({ form, errors, update }: FieldsProps<MilestoneForm>) {
  return (
    <>
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
            onChange={(e) => update({ type: e.target.value === "transactions" ? "transactions" : "volume" })}
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
    </>
  );
}

/** What the list shows for a milestone the server created without echoing it back. */
function assumedMilestone(form: MilestoneForm): AdminMilestone {
  const stamp = new Date().toISOString();
  const body = milestoneCreateBody(form);
  return { id: -Date.now(), triggered: false, created_at: stamp, updated_at: stamp, enabled: true, ...body };
}

export const milestoneResource: AdminResource<AdminMilestone, MilestoneForm, MilestoneUpdate> = {
  noun: "milestone",
  plural: "milestones",
  title: "Milestones",
  subtitle: "Thresholds that put a celebration on the big screen once crossed.",
  addLabel: "New milestone",
  loadingText: "Loading milestones…",
  emptyText: "No milestones yet. Create one, e.g. “1 Million Sats”.",
  load: (api) => api.milestones(),
  order: (a, b) => a.type.localeCompare(b.type) || a.threshold - b.threshold,
  name: (m) => m.name,
  columns,
  rowData: (m) => ({ "data-milestone-id": m.id, "data-triggered": m.triggered }),
  actions: [
    {
      label: "Re-arm",
      testId: "milestone-rearm",
      ariaLabel: (m) => `Re-arm ${m.name}`,
      title: (m) => (m.triggered ? "Let it fire again" : "Not triggered yet"),
      disabled: (m, busy) => !m.triggered || busy,
      run: async (m, { call, confirm, notify, replace }) => {
        // Past its threshold it fires on the next poll: say so, and ask, before the big screen celebrates.
        const totals = await call((api) => api.summary()).catch(() => null);
        const outcome = rearmOutcome(m, totals ?? null);
        confirm({
          title: `Re-arm “${m.name}”?`,
          message: (
            <p data-testid="rearm-outcome" data-fires-at-once={outcome.firesAtOnce}>
              {outcome.message}
            </p>
          ),
          confirmLabel: outcome.confirmLabel,
          action: async () => {
            const updated = await call((api) => api.updateMilestone(m.id, { reset_trigger: true }));
            replace(updated ?? { ...m, triggered: false, triggered_at: undefined });
            notify(outcome.notice);
          },
        });
      },
    },
  ],
  update: (api, id, changes) => api.updateMilestone(id, changes),
  enabledNotice: (m, enabled) => `“${m.name}” ${enabled ? "enabled" : "disabled"}.`,
  remove: {
    title: "Delete milestone?",
    confirmLabel: "Delete milestone",
    message: (m) => (
      <p>
        <strong>{m.name}</strong> ({thresholdText(m)}) will be deleted.
      </p>
    ),
    run: (api, id) => api.deleteMilestone(id),
    notice: (m) => `“${m.name}” deleted.`,
  },
  form: {
    empty: emptyMilestoneForm,
    fromItem: milestoneToForm,
    validate: validateMilestone,
    create: async (api, form) =>
      (await api.createMilestone(milestoneCreateBody(form))) ?? assumedMilestone(form),
    changes: milestoneChanges,
    title: (m) => (m ? `Edit “${m.name}”` : "New milestone"),
    createLabel: "Create milestone",
    enabledLabel: "Enabled",
    savedNotice: (m, created) => (created ? `“${m.name}” created.` : `“${m.name}” saved.`),
    Fields: MilestoneFields,
  },
};

export function MilestonesPanel() {
  return <ResourcePanel resource={milestoneResource} />;
}
