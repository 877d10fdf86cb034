import { useEffect, useState } from "react";
import type { EventSettings } from "../api/types";
import { useAdmin } from "./context";
import { logoFileProblem } from "./event-logic";
import { describeError } from "./logic";

/** The chosen file, its preview and the two requests. */
function useLogoUpload(onChange: (s: EventSettings) => void) {
  const { call, notify } = useAdmin();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A new file input after each upload or removal: the old one would still name the file sent.
  const [inputKey, setInputKey] = useState(0);

  useEffect(() => {
    if (!file) return;
    const url = URL.createObjectURL(file);
    setPreview(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  const choose = (chosen: File | null) => {
    setError(chosen ? logoFileProblem(chosen) : null);
    setPreview(null);
    setFile(chosen);
  };
  const run = async (action: "upload" | "remove") => {
    setBusy(true);
    setError(null);
    try {
      const saved = await call((api) =>
        action === "upload" && file ? api.uploadLogo(file) : api.deleteLogo(),
      );
      setFile(null);
      setPreview(null);
      setInputKey((k) => k + 1);
      onChange(saved);
      notify(action === "upload" ? "Logo uploaded; open screens show it now." : "Logo removed.");
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return { file, preview, error, busy, inputKey, choose, run };
}

/** The logo: a preview of the stored one (or of the file chosen), upload and remove. */
export function EventLogo({
  settings,
  onChange,
}: {
  settings: EventSettings;
  onChange: (s: EventSettings) => void;
}) {
  const { file, preview, error, busy, inputKey, choose, run } = useLogoUpload(onChange);
  const shown = preview ?? settings.logo_url;
  const canUpload = file !== null && logoFileProblem(file) === null && !busy;

  return (
    <div className="event-logo" data-testid="event-logo-field">
      <div className="event-logo__preview" data-testid="event-logo-preview">
        {shown ? (
          <img src={shown} alt={preview ? "Chosen logo (not uploaded yet)" : "Current logo"} />
        ) : (
          <span>No logo</span>
        )}
      </div>
      <div className="field">
        <label className="field__label" htmlFor="event-logo-file">
          Logo
        </label>
        <input
          key={inputKey}
          id="event-logo-file"
          type="file"
          accept="image/png,image/jpeg,image/webp"
          aria-describedby="event-logo-hint"
          onChange={(e) => choose(e.target.files?.[0] ?? null)}
          data-testid="event-logo-file"
        />
        {error ? (
          <p className="field__error" role="alert" data-testid="event-logo-error">
            {error}
          </p>
        ) : (
          <p className="field__hint" id="event-logo-hint">
            PNG, JPEG or WebP, at most 512 KB. It replaces the lightning mark beside the event name.
          </p>
        )}
        <span className="event-form__row">
          <button
            type="button"
            className="btn btn--primary btn--small"
            disabled={!canUpload}
            onClick={() => run("upload")}
            data-testid="event-logo-upload"
          >
            Upload logo
          </button>
          <button
            type="button"
            className="btn btn--danger-ghost btn--small"
            disabled={!settings.has_logo || busy}
            onClick={() => run("remove")}
            data-testid="event-logo-remove"
          >
            Remove logo
          </button>
        </span>
      </div>
    </div>
  );
}
