import { Fragment, useState } from "react";
import { useNow } from "../hooks/useNow";
import { ConfirmDialog, Switch } from "./Dialog";
import { ResourceDialog } from "./ResourceDialog";
import type { AdminFormValues, AdminItem, AdminResource, Column } from "./resource";
import { type ResourcePanelState, useResourcePanel } from "./useResourcePanel";

/** The admin page of one resource: header, list table with row actions, create/edit dialog, delete confirm. */
export function ResourcePanel<T extends AdminItem, F extends AdminFormValues, U extends object>({
  resource,
}: {
  resource: AdminResource<T, F, U>;
}) {
  const panel = useResourcePanel(resource);
  // `item: null` is the dialog adding a new one; no state at all is the dialog closed.
  const [editing, setEditing] = useState<{ item: T | null } | null>(null);
  const { confirm } = panel;

  return (
    <section className="panel" aria-labelledby={`${resource.plural}-title`}>
      <PanelHeader resource={resource} panel={panel} onAdd={() => setEditing({ item: null })} />
      {panel.error || panel.rowError ? (
        <p className="notice notice--error" role="alert" data-testid="admin-error">
          {panel.rowError ?? panel.error}
        </p>
      ) : null}
      <ResourceTable resource={resource} panel={panel} onEdit={(item) => setEditing({ item })} />
      {editing ? (
        <ResourceDialog
          resource={resource}
          item={editing.item}
          onClose={() => setEditing(null)}
          onSaved={(item, how) => {
            panel.replace(item);
            setEditing(null);
            const { savedNotice, replace } = resource.form;
            panel.notify(
              how === "replaced" && replace ? replace.notice(item) : savedNotice(item, how === "created"),
            );
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

interface PanelProps<T extends AdminItem> {
  resource: AdminResource<T, AdminFormValues, object>;
  panel: ResourcePanelState<T>;
}

function PanelHeader<T extends AdminItem>({ resource, panel, onAdd }: PanelProps<T> & { onAdd: () => void }) {
  return (
    <header className="panel__header">
      <div>
        <h1 className="panel__title" id={`${resource.plural}-title`}>
          {resource.title}
        </h1>
        <p className="panel__sub">{resource.subtitle}</p>
      </div>
      <div className="panel__actions">
        <button type="button" className="btn" onClick={() => void panel.reload()} disabled={panel.loading}>
          {panel.loading ? "Refreshing…" : "Refresh"}
        </button>
        <button
          type="button"
          className="btn btn--primary"
          onClick={onAdd}
          data-testid={`add-${resource.noun}`}
        >
          {resource.addLabel}
        </button>
      </div>
    </header>
  );
}

function ResourceTable<T extends AdminItem>({
  resource,
  panel,
  onEdit,
}: PanelProps<T> & { onEdit: (item: T) => void }) {
  const now = useNow(5000);
  const { items, error } = panel;
  const sorted = [...(items ?? [])].sort(resource.order);
  return (
    <div className="table-wrap">
      <table className="table" data-testid={`${resource.noun}-table`}>
        <thead>
          <tr>
            {resource.columns.map((column) => (
              <th key={column.header} scope="col" className={column.headerClassName}>
                {column.header}
              </th>
            ))}
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items === null && !error ? (
            <EmptyRow columns={resource.columns} text={resource.loadingText} />
          ) : null}
          {items !== null && items.length === 0 ? (
            <EmptyRow columns={resource.columns} text={resource.emptyText} />
          ) : null}
          {sorted.map((item) => (
            <ResourceRow
              key={item.id}
              item={item}
              resource={resource}
              panel={panel}
              now={now}
              onEdit={() => onEdit(item)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EmptyRow<T>({ columns, text }: { columns: Column<T>[]; text: string }) {
  return (
    <tr>
      <td colSpan={columns.length + 1} className="table__empty">
        {text}
      </td>
    </tr>
  );
}

function ResourceRow<T extends AdminItem>({
  item,
  resource,
  panel,
  now,
  onEdit,
}: PanelProps<T> & { item: T; now: number; onEdit: () => void }) {
  const busy = panel.isBusy(item);
  const row = { now, busy, setEnabled: (enabled: boolean) => void panel.setEnabled(item, enabled) };
  const name = resource.name(item);
  return (
    <tr data-testid={`${resource.noun}-row`} {...resource.rowData(item)} data-enabled={item.enabled}>
      {resource.columns.map((column) => (
        <Fragment key={column.header}>{column.cell(item, row)}</Fragment>
      ))}
      <td className="table__actions">
        <button
          type="button"
          className="btn btn--small"
          onClick={onEdit}
          data-testid={`${resource.noun}-edit`}
          aria-label={`Edit ${name}`}
        >
          Edit
        </button>
        {resource.actions.map((action) => (
          <button
            key={action.testId}
            type="button"
            className="btn btn--small"
            onClick={() => void panel.runAction(action, item)}
            disabled={action.disabled(item, busy)}
            title={action.title(item)}
            data-testid={action.testId}
            aria-label={action.ariaLabel(item)}
          >
            {action.label}
          </button>
        ))}
        <button
          type="button"
          className="btn btn--small btn--danger-ghost"
          onClick={() => panel.askDelete(item)}
          data-testid={`${resource.noun}-delete`}
          aria-label={`Delete ${name}`}
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

/** The "Enabled" column every resource has: an on/off switch saved at once. */
export function enabledColumn<T extends AdminItem>(noun: string, label: (item: T) => string): Column<T> {
  return {
    header: "Enabled",
    cell: (item, row) => (
      <td data-label="Enabled">
        <Switch
          checked={item.enabled}
          label={label(item)}
          onChange={row.setEnabled}
          disabled={row.busy}
          testId={`${noun}-enabled`}
        />
      </td>
    ),
  };
}
