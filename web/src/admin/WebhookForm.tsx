// The webhook form, once for adding (inline above the table) and once for editing (in a dialog):
// the same fields and checks; editing prefills the URL and events and leaves the secret empty to keep it.
import { useState } from "react";
import type { Webhook } from "../api/types";
import { useAdmin } from "./context";
import { Dialog, Field } from "./Dialog";
import { describeError } from "./logic";
import {
  EMPTY_HOOK,
  type HookForm,
  hookChanges,
  hookFormError,
  hookToForm,
  toggleEvent,
} from "./webhooks-form";

/** Add a webhook: the whole form, emptied again once the server took it. */
export function HookCreateForm({ onCreated }: { onCreated: () => void }) {
  const { call, notify } = useAdmin();
  return (
    <HookFormView
      prefix="webhook-form"
      initial={EMPTY_HOOK}
      editing={false}
      submitLabel="Add webhook"
      save={async (form) => {
        await call((api) => api.createWebhook({ ...form, url: form.url.trim() }));
        notify("Webhook added.");
        onCreated();
        return true;
      }}
    />
  );
}

/** Edit one webhook in a dialog: only what changed is sent (the secret only if a new one is typed). */
export function HookEditDialog(p: { hook: Webhook; onClose: () => void; onSaved: () => void }) {
  const { call, notify } = useAdmin();
  return (
    <Dialog title={`Edit webhook ${p.hook.url}`} onClose={p.onClose} testId="webhook-edit-dialog">
      <HookFormView
        prefix="webhook-edit"
        initial={hookToForm(p.hook)}
        editing
        submitLabel="Save changes"
        onCancel={p.onClose}
        save={async (form) => {
          const changes = hookChanges(p.hook, form);
          if (Object.keys(changes).length > 0) {
            await call((api) => api.updateWebhook(p.hook.id, changes));
            notify("Webhook saved.");
            p.onSaved();
          }
          p.onClose();
          return false;
        }}
      />
    </Dialog>
  );
}

interface ViewProps {
  /** Prefix of the element ids and test ids, so both forms can be on the page at once. */
  prefix: string;
  initial: HookForm;
  editing: boolean;
  submitLabel: string;
  /** Saves; true empties the form again. Throws to show the server's refusal. */
  save: (form: HookForm) => Promise<boolean>;
  onCancel?: () => void;
}

function HookFormView(p: ViewProps) {
  const [form, setForm] = useState<HookForm>(p.initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const invalid = hookFormError(form, p.editing);
    setError(invalid);
    if (invalid) return;
    setBusy(true);
    try {
      if (await p.save(form)) setForm(p.initial);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="form"
      data-testid={p.prefix}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <HookFields
        prefix={p.prefix}
        form={form}
        editing={p.editing}
        update={(f) => setForm({ ...form, ...f })}
      />
      {error ? (
        <p className="notice notice--error" role="alert" data-testid={`${p.prefix}-error`}>
          {error}
        </p>
      ) : null}
      <div className={p.onCancel ? "dialog__actions" : undefined}>
        {p.onCancel ? (
          <button type="button" className="btn" onClick={p.onCancel} data-testid={`${p.prefix}-cancel`}>
            Cancel
          </button>
        ) : null}
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid={`${p.prefix}-submit`}>
          {busy ? (p.editing ? "Saving…" : "Adding…") : p.submitLabel}
        </button>
      </div>
    </form>
  );
}

function HookFields(p: {
  prefix: string;
  form: HookForm;
  editing: boolean;
  update: (patch: Partial<HookForm>) => void;
}) {
  const { prefix, form, update } = p;
  return (
    <>
      <Field id={`${prefix}-url`} label="URL">
        {(a) => (
          <input
            {...a}
            className="input mono"
            value={form.url}
            onChange={(e) => update({ url: e.target.value })}
            data-testid={`${prefix}-url`}
          />
        )}
      </Field>
      <Field
        id={`${prefix}-secret`}
        label={p.editing ? "New secret (empty keeps the current one)" : "Secret"}
        hint={
          p.editing
            ? "Leave empty to keep the current secret; a new one is 16 to 256 characters."
            : "16 to 256 characters; the receiver checks signatures with it."
        }
      >
        {(a) => (
          <input
            {...a}
            className="input mono"
            type="password"
            autoComplete="new-password"
            value={form.secret}
            onChange={(e) => update({ secret: e.target.value })}
            data-testid={`${prefix}-secret`}
          />
        )}
      </Field>
      <fieldset className="field">
        <legend className="field__label">Events</legend>
        {(["milestone", "sale"] as const).map((e) => (
          <label key={e} className="checkbox">
            <input
              type="checkbox"
              checked={form.events.includes(e)}
              onChange={() => update({ events: toggleEvent(form.events, e) })}
              data-testid={`${prefix}-${e}`}
            />{" "}
            {e === "milestone" ? "Milestone triggers" : "Every sale"}
          </label>
        ))}
      </fieldset>
    </>
  );
}
