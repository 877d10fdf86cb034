import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import * as S from "../contract/index.js";
import type { WebhookInput, WebhookPatch } from "../store/webhooks.js";
import { knownFields } from "./body.js";
import type { AppContext } from "./context.js";
import { badRequest, notFound } from "./errors.js";

/**
 * Outgoing webhooks, registered inside admin.ts's authenticated scope (its token check, rate limit and
 * body checks apply). The secret goes in and never comes out: answers say `has_secret`.
 */
export const webhookAdminRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { store, now } = ctx;
  const errors = { 400: S.ErrorBody, 401: S.ErrorBody, 404: S.ErrorBody, 429: S.ErrorBody };

  app.get("/v1/admin/webhooks", { schema: { response: { 200: Type.Array(S.Webhook), ...errors } } }, () =>
    store.read("webhooks", {}),
  );

  app.post(
    "/v1/admin/webhooks",
    { schema: { body: S.WebhookBody, response: { 201: S.Webhook, ...errors } } },
    async (req, reply) => {
      const input = webhookInput(knownFields(S.WebhookBody, req.body));
      return reply.code(201).send(await store.change("createWebhook", { input, now: now() }));
    },
  );

  app.put(
    "/v1/admin/webhooks/:id",
    {
      schema: { params: S.WebhookParams, body: S.WebhookPatchBody, response: { 200: S.Webhook, ...errors } },
    },
    async (req) => {
      const patch = webhookPatch(knownFields(S.WebhookPatchBody, req.body));
      const hook = await store.change("updateWebhook", { id: Number(req.params.id), patch, now: now() });
      if (!hook) throw notFound(`webhook ${req.params.id} not found`);
      return hook;
    },
  );

  app.delete(
    "/v1/admin/webhooks/:id",
    { schema: { params: S.WebhookParams, response: { 200: S.MessageBody, ...errors } } },
    async (req) => {
      if (!(await store.change("deleteWebhook", { id: Number(req.params.id) })))
        throw notFound(`webhook ${req.params.id} not found`);
      return { message: "webhook deleted" };
    },
  );

  app.get(
    "/v1/admin/webhooks/:id/deliveries",
    { schema: { params: S.WebhookParams, response: { 200: Type.Array(S.WebhookDelivery), ...errors } } },
    async (req) => {
      const log = await store.read("webhookDeliveries", { id: Number(req.params.id) });
      if (!log) throw notFound(`webhook ${req.params.id} not found`);
      return log;
    },
  );
};

/** An absolute http or https URL with a host; anything else is refused before it is stored. */
export function checkedUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest("url must be an absolute http or https URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw badRequest("url must be http or https");
  if (url.hostname === "") throw badRequest("url must name a host");
  return url.href;
}

function checkedEvents(events: readonly S.WebhookEvent[]): S.WebhookEvent[] {
  const unique = [...new Set(events)];
  if (unique.length === 0) throw badRequest("events must name at least one of milestone, sale");
  return unique;
}

function checkedSecret(secret: string): string {
  // A header-safe, printable key; the message never repeats it.
  if (![...secret].every((c) => c >= " " && c <= "~"))
    throw badRequest("secret must be printable ASCII (value not shown)");
  return secret;
}

export function webhookInput(body: S.WebhookBody): WebhookInput {
  return {
    url: checkedUrl(body.url),
    secret: checkedSecret(body.secret),
    events: checkedEvents(body.events),
  };
}

export function webhookPatch(body: S.WebhookPatchBody): WebhookPatch {
  return {
    ...(body.url === undefined ? {} : { url: checkedUrl(body.url) }),
    ...(body.secret === undefined ? {} : { secret: checkedSecret(body.secret) }),
    ...(body.events === undefined ? {} : { events: checkedEvents(body.events) }),
  };
}
