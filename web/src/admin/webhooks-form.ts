// The webhook form's pure logic, for adding (every field) and editing (only what changed is sent).
import type { Webhook, WebhookEvent, WebhookUpdate } from "../api/types";

export interface HookForm {
  url: string;
  secret: string;
  events: WebhookEvent[];
}

export const EMPTY_HOOK: HookForm = { url: "", secret: "", events: ["milestone"] };
const ORDER: readonly WebhookEvent[] = ["milestone", "sale"];

/** The form for editing a webhook: its URL and events; the secret empty, meaning "keep it". */
export function hookToForm(h: Pick<Webhook, "url" | "events">): HookForm {
  return { url: h.url, secret: "", events: ORDER.filter((e) => h.events.includes(e)) };
}

/**
 * What the form says before the server is asked (the server checks the same and more). When editing,
 * an empty secret is fine: it keeps the current one.
 */
export function hookFormError(f: HookForm, editing = false): string | null {
  if (!/^https?:\/\/\S+$/.test(f.url.trim())) return "The URL must start with http:// or https://.";
  const keepSecret = editing && f.secret === "";
  if (!keepSecret && (f.secret.length < 16 || f.secret.length > 256))
    return editing
      ? "A new secret must be 16 to 256 characters (leave it empty to keep the current one)."
      : "The secret must be 16 to 256 characters.";
  if (f.events.length === 0) return "Choose at least one event.";
  return null;
}

/** The events ticked, in a stable order. */
export const toggleEvent = (events: WebhookEvent[], e: WebhookEvent): WebhookEvent[] =>
  ORDER.filter((x) => (x === e ? !events.includes(x) : events.includes(x)));

/** The `PUT /v1/admin/webhooks/{id}` body: only the fields that changed, the secret only if typed. */
export function hookChanges(h: Pick<Webhook, "url" | "events">, f: HookForm): WebhookUpdate {
  const out: WebhookUpdate = {};
  const url = f.url.trim();
  if (url !== h.url) out.url = url;
  if (f.secret !== "") out.secret = f.secret;
  const events = ORDER.filter((e) => f.events.includes(e));
  const before = ORDER.filter((e) => h.events.includes(e));
  if (events.join() !== before.join()) out.events = events;
  return out;
}
