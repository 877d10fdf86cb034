import { useEffect, useState } from "react";
import type { EventSettings } from "../api/types";
import { useAdmin } from "./context";
import { Field } from "./Dialog";
import { EventLogo } from "./EventLogo";
import { type EventForm, eventToForm, eventUpdateBody, toLocalInput, validateEvent } from "./event-logic";
import { describeError, type FormErrors } from "./logic";
import { useValidatedForm } from "./useValidatedForm";

/** The event's settings, stored on the server and pushed to every open screen when saved. */
export function EventPanel() {
  const { call } = useAdmin();
  const [settings, setSettings] = useState<EventSettings | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    call((api) => api.event()).then(setSettings, (err: unknown) => setLoadError(describeError(err)));
  }, [call]);

  return (
    <section className="panel" aria-labelledby="event-title" data-testid="event-panel">
      <header className="panel__header">
        <div>
          <h1 className="panel__title" id="event-title">
            Event
          </h1>
          <p className="panel__sub">
            What every screen shows the event as. Saved settings reach open screens at once; a screen's URL
            parameters (event, tz, currency, accent, celebrate) still override them for that screen.
          </p>
        </div>
      </header>
      {loadError ? (
        <p className="notice notice--error" role="alert">
          Could not load the event settings: {loadError}
        </p>
      ) : null}
      {settings ? (
        <>
          <EventLogo settings={settings} onChange={setSettings} />
          <EventSettingsForm settings={settings} onSaved={setSettings} />
        </>
      ) : loadError ? null : (
        <p className="panel__sub">Loading the event settings…</p>
      )}
    </section>
  );
}

type Update = (patch: Partial<EventForm>) => void;
interface FieldsProps {
  form: EventForm;
  errors: FormErrors<EventForm>;
  update: Update;
}

function EventSettingsForm({
  settings,
  onSaved,
}: {
  settings: EventSettings;
  onSaved: (s: EventSettings) => void;
}) {
  const { call, notify } = useAdmin();
  const { form, errors, serverError, saving, update, handleSubmit } = useValidatedForm<EventForm>(
    () => eventToForm(settings),
    validateEvent,
  );
  const submit = handleSubmit(async (f) => {
    const saved = await call((api) => api.updateEvent(eventUpdateBody(f)));
    notify("Event settings saved; open screens update now.");
    onSaved(saved);
  });
  return (
    <form className="form event-form" onSubmit={submit} noValidate data-testid="event-form">
      <LookFields form={form} errors={errors} update={update} />
      <TimeFields form={form} errors={errors} update={update} />
      <ScreenFields form={form} errors={errors} update={update} />
      {serverError ? (
        <p className="form-error" role="alert" data-testid="event-form-error">
          {serverError}
        </p>
      ) : null}
      <div>
        <button type="submit" className="btn btn--primary" disabled={saving} data-testid="event-form-save">
          {saving ? "Saving…" : "Save event settings"}
        </button>
      </div>
    </form>
  );
}

function LookFields({ form, errors, update }: FieldsProps) {
  return (
    <>
      <Field label="Event name" id="event-name" error={errors.name} hint="Up to 80 characters.">
        {(a) => (
          <input
            {...a}
            className="input"
            value={form.name}
            maxLength={120}
            onChange={(e) => update({ name: e.target.value })}
            data-testid="event-form-name"
          />
        )}
      </Field>
      <Field
        label="Accent colour"
        id="event-accent"
        error={errors.accent_color}
        hint="#rrggbb; the screens' highlight."
      >
        {(a) => (
          <span className="event-form__colour">
            <input
              type="color"
              aria-label="Pick the accent colour"
              value={/^#[0-9a-f]{6}$/i.test(form.accent_color) ? form.accent_color : "#f7931a"}
              onChange={(e) => update({ accent_color: e.target.value })}
            />
            <input
              {...a}
              className="input mono"
              value={form.accent_color}
              onChange={(e) => update({ accent_color: e.target.value })}
              data-testid="event-form-accent"
            />
          </span>
        )}
      </Field>
      <Field label="Theme" id="event-theme" hint="Light and high contrast are for daylight venues.">
        {(a) => (
          <select
            {...a}
            className="input"
            value={form.theme}
            onChange={(e) => update({ theme: e.target.value as EventForm["theme"] })}
            data-testid="event-form-theme"
          >
            <option value="dark">Dark</option>
            <option value="light">Light</option>
            <option value="contrast">High contrast</option>
          </select>
        )}
      </Field>
    </>
  );
}

const ZONES: readonly string[] =
  typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];

function TimeFields({ form, errors, update }: FieldsProps) {
  return (
    <>
      <Field
        label="Time zone"
        id="event-time-zone"
        error={errors.time_zone}
        hint="IANA name, e.g. Europe/Zurich; empty: each screen keeps its device's time zone."
      >
        {(a) => (
          <>
            <input
              {...a}
              className="input"
              list="event-time-zones"
              value={form.time_zone}
              onChange={(e) => update({ time_zone: e.target.value })}
              data-testid="event-form-time-zone"
            />
            <datalist id="event-time-zones">
              {ZONES.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      <Field
        label="Doors opened at (this device's time)"
        id="event-doors"
        error={errors.doors_opened_at}
        hint="When set, the venue totals count from here (“since doors”) instead of all time."
      >
        {(a) => (
          <span className="event-form__row">
            <input
              {...a}
              type="datetime-local"
              className="input"
              value={form.doors_opened_at}
              onChange={(e) => update({ doors_opened_at: e.target.value })}
              data-testid="event-form-doors"
            />
            <button
              type="button"
              className="btn btn--small"
              onClick={() => update({ doors_opened_at: toLocalInput(new Date().toISOString()) })}
            >
              Now
            </button>
            <button
              type="button"
              className="btn btn--small btn--ghost"
              onClick={() => update({ doors_opened_at: "" })}
            >
              Clear
            </button>
          </span>
        )}
      </Field>
    </>
  );
}

function ScreenFields({ form, errors, update }: FieldsProps) {
  return (
    <>
      <Field
        label="Display currency"
        id="event-currency"
        hint="Fiat shows the sales' own fiat first, where they carry one."
      >
        {(a) => (
          <select
            {...a}
            className="input"
            value={form.display_currency}
            onChange={(e) => update({ display_currency: e.target.value as EventForm["display_currency"] })}
            data-testid="event-form-currency"
          >
            <option value="sats">Sats</option>
            <option value="btc">BTC</option>
            <option value="fiat">Fiat first</option>
          </select>
        )}
      </Field>
      <Field
        label="Celebration length (seconds)"
        id="event-celebration"
        error={errors.celebration_seconds}
        hint="3 to 60."
      >
        {(a) => (
          <input
            {...a}
            className="input mono"
            inputMode="numeric"
            value={form.celebration_seconds}
            onChange={(e) => update({ celebration_seconds: e.target.value })}
            data-testid="event-form-celebration"
          />
        )}
      </Field>
      <Field
        label="Attendee page address"
        id="event-public-url"
        error={errors.public_url}
        hint="The public URL the venue screen's QR code points to; empty for none."
      >
        {(a) => (
          <input
            {...a}
            className="input"
            type="url"
            value={form.public_url}
            onChange={(e) => update({ public_url: e.target.value })}
            data-testid="event-form-public-url"
          />
        )}
      </Field>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={form.sound}
          onChange={(e) => update({ sound: e.target.checked })}
          data-testid="event-form-sound"
        />
        Sound on sales and milestones (each screen still asks for a click to allow audio)
      </label>
    </>
  );
}
