import { useState } from "react";
import { useAdmin } from "./context";
import { Dialog } from "./Dialog";
import type { AdminFormValues, AdminItem, AdminResource, SaveKind } from "./resource";
import { useValidatedForm } from "./useValidatedForm";

/** Create (`item` null) or edit one item of a resource: its fields, "enabled", the server's refusal. */
export function ResourceDialog<T extends AdminItem, F extends AdminFormValues, U extends object>({
  resource,
  item,
  onClose,
  onSaved,
}: {
  resource: AdminResource<T, F, U>;
  item: T | null;
  onClose: () => void;
  onSaved: (item: T, how: SaveKind) => void;
}) {
  const { call } = useAdmin();
  const spec = resource.form;
  const { form, errors, serverError, saving, update, handleSubmit } = useValidatedForm<F>(
    () => (item ? spec.fromItem(item) : spec.empty()),
    spec.validate,
  );
  // The existing item a create would replace, once the operator has been warned; any change asks again.
  const [replacing, setReplacing] = useState<T | null>(null);
  const change = (patch: Partial<F>) => {
    setReplacing(null);
    update(patch);
  };

  const submit = handleSubmit(async (values) => {
    if (!item) {
      const { replace } = spec;
      const existing = replace ? await call((api) => replace.existing(api, values)) : undefined;
      if (existing && existing.id !== replacing?.id) {
        setReplacing(existing);
        return;
      }
      onSaved(await call((api) => spec.create(api, values)), existing ? "replaced" : "created");
      return;
    }
    const changes = spec.changes(item, values);
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    const saved = await call((api) => resource.update(api, item.id, changes));
    onSaved(saved ?? { ...item, ...changes }, "saved");
  });

  const isEdit = item !== null;
  const { noun } = resource;
  const { Fields } = spec;
  return (
    <Dialog title={spec.title(item)} onClose={onClose} testId={`${noun}-dialog`}>
      <form className="form" onSubmit={submit} noValidate data-testid={`${noun}-form`}>
        <Fields form={form} errors={errors} update={change} isEdit={isEdit} />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.enabled}
            // Every F has `enabled: boolean` (F extends AdminFormValues); TypeScript cannot see that through Partial<F>.
            onChange={(e) => change({ enabled: e.target.checked } as Partial<F>)}
            data-testid={`${noun}-form-enabled`}
          />
          {spec.enabledLabel}
        </label>
        {replacing && spec.replace ? (
          <div className="notice notice--warn" role="alert" data-testid={`${noun}-form-replace`}>
            {spec.replace.warning(replacing)}
          </div>
        ) : null}
        {serverError ? (
          <p className="form-error" role="alert" data-testid={`${noun}-form-error`}>
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
            data-testid={`${noun}-form-submit`}
          >
            {saving
              ? "Saving…"
              : isEdit
                ? "Save changes"
                : replacing && spec.replace
                  ? spec.replace.confirmLabel(replacing)
                  : spec.createLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
