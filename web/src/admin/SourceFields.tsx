// A BTCPay Server or LNbits merchant's settings in the merchant form: where it is, its keys (masked
// ones stay unless a new one is typed), a "Test connection" button, and the webhook URL to paste.
import { useState } from "react";
import type { ConnectionTest } from "../api/types";
import { useAdmin } from "./context";
import { Field } from "./Dialog";
import { describeError, type MerchantForm } from "./logic";
import type { FieldsProps } from "./resource";
import { connectionTestBody, webhookHelp } from "./source-logic";

type TextKey = "base_url" | "store_id" | "api_key" | "webhook_secret" | "pos_app_id";

function TextField({
  name,
  label,
  hint,
  placeholder,
  secret,
  props,
}: {
  name: TextKey;
  label: string;
  hint?: string;
  placeholder?: string;
  secret?: boolean;
  props: FieldsProps<MerchantForm>;
}) {
  const { form, errors, update } = props;
  return (
    <Field label={label} id={`merchant-${name}`} error={errors[name]} {...(hint ? { hint } : {})}>
      {(a) => (
        <input
          {...a}
          className="input mono"
          type={secret ? "password" : "text"}
          value={form[name] ?? ""}
          placeholder={placeholder}
          onChange={(e) => update({ [name]: e.target.value })}
          autoComplete={secret ? "new-password" : "off"}
          spellCheck={false}
          data-testid={`merchant-form-${name.replaceAll("_", "-")}`}
        />
      )}
    </Field>
  );
}

/** The placeholder of a secret's field: the stored one masked, and that an empty field keeps it. */
function keepPlaceholder(shown: string | undefined, otherwise: string): string {
  return shown ? `${shown} — leave empty to keep` : otherwise;
}

export function SourceFields(props: FieldsProps<MerchantForm>) {
  const { form } = props;
  const btcpay = form.source === "btcpay";
  return (
    <>
      <TextField
        name="base_url"
        label={btcpay ? "BTCPay Server URL" : "LNbits URL"}
        placeholder={btcpay ? "https://btcpay.example.com" : "https://lnbits.example.com"}
        props={props}
      />
      {btcpay ? <TextField name="store_id" label="Store ID" props={props} /> : null}
      <TextField
        name="api_key"
        label={btcpay ? "API key" : "Invoice/read key"}
        hint={
          btcpay
            ? "A store API key with “View invoices” (btcpay.store.canviewinvoices)."
            : "The wallet's invoice/read key (sent as X-Api-Key)."
        }
        placeholder={keepPlaceholder(form.api_key_shown, "Paste the key")}
        secret
        props={props}
      />
      <TextField
        name="webhook_secret"
        label="Webhook secret (optional)"
        placeholder={keepPlaceholder(form.webhook_secret_shown, "For webhook deliveries")}
        secret
        props={props}
      />
      {btcpay ? (
        <TextField
          name="pos_app_id"
          label="Point of Sale app ID (optional)"
          hint="Lets the dashboard name cart items by their titles."
          props={props}
        />
      ) : null}
      <ConnectionTester {...props} />
      <WebhookUrl form={form} />
    </>
  );
}

function ConnectionTester({ form, isEdit }: FieldsProps<MerchantForm>) {
  const { call } = useAdmin();
  const [result, setResult] = useState<ConnectionTest | null>(null);
  const [testing, setTesting] = useState(false);
  const run = async () => {
    setTesting(true);
    setResult(null);
    try {
      setResult(await call((api) => api.testConnection(connectionTestBody(form, isEdit))));
    } catch (err) {
      // The server refused the settings themselves (a missing key, a bad URL): say so the same way.
      setResult({ ok: false, message: describeError(err) });
    } finally {
      setTesting(false);
    }
  };
  return (
    <div className="connection-test">
      <button
        type="button"
        className="btn"
        onClick={() => void run()}
        disabled={testing}
        data-testid="merchant-test-connection"
      >
        {testing ? "Testing…" : "Test connection"}
      </button>
      {result ? (
        <p
          className={result.ok ? "connection-test__ok" : "form-error"}
          role="status"
          data-testid="merchant-test-result"
          data-ok={result.ok}
        >
          {result.ok ? result.message : `Connection failed: ${result.message}`}
        </p>
      ) : null}
    </div>
  );
}

function WebhookUrl({ form }: { form: MerchantForm }) {
  const help = webhookHelp(window.location.origin, form);
  if (!help) return null;
  return (
    <div className="field">
      <span className="field__label">Webhook URL</span>
      <code className="webhook-url mono" data-testid="merchant-webhook-url">
        {help.url}
      </code>
      <p className="field__hint">{help.note}</p>
    </div>
  );
}
