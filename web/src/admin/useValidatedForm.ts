import { type FormEvent, useState } from "react";
import { describeError, type FormErrors, hasErrors } from "./logic";

/**
 * An admin form's state: values, field errors (re-checked on every change once a submit was tried),
 * the server's refusal and the saving flag. `handleSubmit(save)` validates first and only then saves.
 */
export function useValidatedForm<F extends object>(initial: () => F, validate: (form: F) => FormErrors<F>) {
  const [form, setForm] = useState<F>(initial);
  const [errors, setErrors] = useState<FormErrors<F>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [touched, setTouched] = useState(false);

  const update = (patch: Partial<F>) => {
    const next = { ...form, ...patch };
    setForm(next);
    if (touched) setErrors(validate(next));
  };

  const handleSubmit = (save: (form: F) => Promise<void>) => async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    const found = validate(form);
    setErrors(found);
    if (hasErrors(found)) return;
    setSaving(true);
    setServerError(null);
    try {
      await save(form);
    } catch (err) {
      setServerError(describeError(err));
    } finally {
      // Usually the dialog is gone by now; when it stays (asking before replacing), it is usable again.
      setSaving(false);
    }
  };

  return { form, errors, serverError, saving, update, handleSubmit };
}
