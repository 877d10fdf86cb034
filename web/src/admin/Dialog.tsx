import { type ReactNode, useEffect, useId, useRef } from "react";

const FOCUSABLE =
  'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, [href], [tabindex]:not([tabindex="-1"])';

/** An in-page modal: traps Tab, closes on Escape, gives focus back where it came from. */
export function Dialog({
  title,
  children,
  onClose,
  testId,
  describedBy,
}: {
  title: string;
  children: ReactNode;
  onClose: () => void;
  testId: string;
  describedBy?: string;
}) {
  const titleId = useId();
  const panel = useRef<HTMLDivElement | null>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const el = panel.current;
    const first =
      el?.querySelector<HTMLElement>("[data-autofocus]") ?? el?.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        closeRef.current();
        return;
      }
      if (e.key !== "Tab" || !el) return;
      const items = Array.from(el.querySelectorAll<HTMLElement>(FOCUSABLE));
      if (items.length === 0) return;
      const firstItem = items[0] as HTMLElement;
      const lastItem = items[items.length - 1] as HTMLElement;
      if (e.shiftKey && document.activeElement === firstItem) {
        e.preventDefault();
        lastItem.focus();
      } else if (!e.shiftKey && document.activeElement === lastItem) {
        e.preventDefault();
        firstItem.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      previous?.focus?.();
    };
  }, []);

  return (
    <div className="dialog-backdrop">
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={describedBy}
        ref={panel}
        data-testid={testId}
      >
        <h2 className="dialog__title" id={titleId}>
          {title}
        </h2>
        {children}
      </div>
    </div>
  );
}

export interface ConfirmRequest {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  action: () => Promise<unknown>;
}

/** Confirmation for destructive actions (instead of window.confirm). */
export function ConfirmDialog({
  request,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  request: ConfirmRequest;
  busy: boolean;
  error: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const messageId = useId();
  return (
    <Dialog title={request.title} onClose={onCancel} testId="confirm-dialog" describedBy={messageId}>
      <div className="dialog__body" id={messageId}>
        {request.message}
      </div>
      {error ? (
        <p className="form-error" role="alert" data-testid="confirm-error">
          {error}
        </p>
      ) : null}
      <div className="dialog__actions">
        <button type="button" className="btn" onClick={onCancel} data-testid="confirm-cancel" data-autofocus>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn--danger"
          onClick={onConfirm}
          disabled={busy}
          data-testid="confirm-ok"
        >
          {busy ? "Working…" : request.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}

/** A labelled on/off switch (role="switch"). */
export function Switch({
  checked,
  label,
  onChange,
  disabled,
  testId,
}: {
  checked: boolean;
  label: string;
  onChange: (next: boolean) => void;
  disabled?: boolean;
  testId: string;
}) {
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      className="switch"
      onClick={() => onChange(!checked)}
      disabled={disabled}
      data-testid={testId}
    >
      <span className="switch__thumb" aria-hidden="true" />
      <span className="switch__text" aria-hidden="true">
        {checked ? "On" : "Off"}
      </span>
    </button>
  );
}

/** A form row: label, control, hint or error wired up with aria-describedby. */
export function Field({
  label,
  error,
  hint,
  children,
  id,
}: {
  label: string;
  error?: string;
  hint?: string;
  id: string;
  children: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactNode;
}) {
  const describe = error ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className={`field${error ? " field--invalid" : ""}`}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {children({ id, "aria-invalid": Boolean(error), "aria-describedby": describe })}
      {error ? (
        <p className="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : hint ? (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}
