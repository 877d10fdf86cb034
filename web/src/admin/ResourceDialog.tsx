import { useAdmin } from "./context";
import { Dialog } from "./Dialog";
import type { AdminFormValues, AdminItem, AdminResource } from "./resource";
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
  onSaved: (item: T, created: boolean) => void;
}) {
  const { call } = useAdmin();
  const spec = resource.form;
  const { form, errors, serverError, saving, update, handleSubmit } = useValidatedForm<F>(
    () => (item ? spec.fromItem(item) : spec.empty()),
    spec.validate,
  );

  const submit = handleSubmit(async (values) => {
    if (!item) {
      onSaved(await call((api) => spec.create(api, values)), true);
      return;
    }
    const changes = spec.changes(item, values);
    if (Object.keys(changes).length === 0) {
      onClose();
      return;
    }
    const saved = await call((api) => resource.update(api, item.id, changes));
    onSaved(saved ?? { ...item, ...changes }, false);
  });

  const isEdit = item !== null;
  const { noun } = resource;
  const { Fields } = spec;
  return (
    <Dialog title={spec.title(item)} onClose={onClose} testId={`${noun}-dialog`}>
      <form className="form" onSubmit={submit} noValidate data-testid={`${noun}-form`}>
        <Fields form={form} errors={errors} update={update} isEdit={isEdit} />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={form.enabled}
            // Every F has `enabled: boolean` (F extends AdminFormValues); TypeScript cannot see that through Partial<F>.
            onChange={(e) => update({ enabled: e.target.checked } as Partial<F>)}
            data-testid={`${noun}-form-enabled`}
          />
          {spec.enabledLabel}
        </label>
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
            {saving ? "Saving…" : isEdit ? "Save changes" : spec.createLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
