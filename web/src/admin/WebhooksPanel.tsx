// Outgoing webhooks: where milestone triggers (and, if asked, every sale) are POSTed, signed with a
// secret that is typed here once and never shown again (editing keeps it unless a new one is typed),
// and each webhook's delivery log.
import { useState } from "react";
import type { Webhook, WebhookDelivery } from "../api/types";
import { formatDateTime } from "../format/time";
import { ConfirmDialog } from "./Dialog";
import { useAdminList, useConfirm } from "./useAdminList";
import { HookCreateForm, HookEditDialog } from "./WebhookForm";

export function WebhooksPanel() {
  const { items, error, reload, admin } = useAdminList((api) => api.webhooks());
  const confirm = useConfirm();
  const [open, setOpen] = useState<number | null>(null);
  const [editing, setEditing] = useState<Webhook | null>(null);
  return (
    <section className="panel" aria-labelledby="webhooks-title" data-testid="webhooks-panel">
      <header className="panel__header">
        <div>
          <h1 className="panel__title" id="webhooks-title">
            Webhooks
          </h1>
          <p className="panel__sub">
            Each milestone trigger (and, if chosen, each sale) is POSTed as JSON, signed in the{" "}
            <code>X-Signature</code> header (<code>sha256=</code> HMAC of the body with the secret), with an{" "}
            <code>X-Delivery-Id</code> that stays the same on every retry.
          </p>
        </div>
      </header>
      <HookCreateForm onCreated={() => void reload(true)} />
      {error ? (
        <p className="notice notice--error" role="alert" data-testid="admin-error">
          {error}
        </p>
      ) : null}
      <div className="table-wrap">
        <table className="table" data-testid="webhook-table">
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">Secret</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items === null ? (
              <tr>
                <td colSpan={4} className="table__empty">
                  Loading webhooks…
                </td>
              </tr>
            ) : items.length === 0 ? (
              <tr>
                <td colSpan={4} className="table__empty">
                  No webhooks yet.
                </td>
              </tr>
            ) : (
              items.map((h) => (
                <HookRow
                  key={h.id}
                  hook={h}
                  open={open === h.id}
                  onToggle={() => setOpen(open === h.id ? null : h.id)}
                  onEdit={() => setEditing(h)}
                  onDelete={() =>
                    confirm.ask({
                      title: "Delete webhook?",
                      message: (
                        <p>{h.url} and its delivery log will be deleted; nothing more is sent to it.</p>
                      ),
                      confirmLabel: "Delete webhook",
                      action: async () => {
                        await admin.call((api) => api.deleteWebhook(h.id));
                        admin.notify("Webhook deleted.");
                        await reload(true);
                      },
                    })
                  }
                />
              ))
            )}
          </tbody>
        </table>
      </div>
      {open !== null ? <DeliveryLog webhookId={open} /> : null}
      {editing ? (
        <HookEditDialog hook={editing} onClose={() => setEditing(null)} onSaved={() => void reload(true)} />
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

function HookRow(p: {
  hook: Webhook;
  open: boolean;
  onToggle: () => void;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const h = p.hook;
  return (
    <tr data-testid="webhook-row" data-webhook-id={h.id}>
      <th scope="row" className="table__name mono">
        {h.url}
      </th>
      <td data-label="Events">{h.events.join(", ")}</td>
      <td data-label="Secret">{h.has_secret ? "set (hidden)" : "none"}</td>
      <td className="table__actions">
        <button type="button" className="btn btn--small" onClick={p.onToggle} data-testid="webhook-log">
          {p.open ? "Hide deliveries" : "Deliveries"}
        </button>
        <button type="button" className="btn btn--small" onClick={p.onEdit} data-testid="webhook-edit">
          Edit
        </button>
        <button
          type="button"
          className="btn btn--small btn--danger-ghost"
          onClick={p.onDelete}
          data-testid="webhook-delete"
        >
          Delete
        </button>
      </td>
    </tr>
  );
}

function DeliveryLog({ webhookId }: { webhookId: number }) {
  const { items, error } = useAdminList((api) => api.deliveries(webhookId), 2000);
  return (
    <div className="table-wrap" data-testid="delivery-log">
      <h2 className="panel__title">Deliveries (newest first)</h2>
      {error ? <p className="notice notice--error">{error}</p> : null}
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Delivery</th>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {(items ?? []).map((d: WebhookDelivery) => (
            <tr key={d.id} data-testid="delivery-row" data-status={d.status}>
              <td className="mono">{d.id.slice(0, 8)}</td>
              <td>{d.event}</td>
              <td>
                <span
                  className={`badge badge--${d.status === "delivered" ? "armed" : d.status === "failed" ? "paused" : "triggered"}`}
                >
                  {d.status}
                </span>
              </td>
              <td className="num">{d.attempts}</td>
              <td>{[d.last_status_code, d.last_error].filter((x) => x !== undefined).join(" · ")}</td>
              <td>{formatDateTime(d.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items?.length === 0 ? <p className="table__empty">Nothing sent yet.</p> : null}
    </div>
  );
}
