import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import * as S from "../contract/index.js";
import type { AppContext } from "./context.js";
import { badRequest, HttpError, notFound } from "./errors.js";
import { settingsFor } from "./merchant-source.js";
import { rejectMistypedSettings, sourceSchemaErrors } from "./source-body.js";

/**
 * `POST /v1/admin/merchants/test-connection`, inside admin.ts's authenticated scope: calls the source
 * once with the body's settings. With `id`, secrets (or all settings) the body leaves out are that
 * merchant's stored ones, so the edit form tests without the key being typed again. A static path: no
 * `POST /v1/admin/merchants/{id}` exists, so a merchant whose id is "test-connection" loses nothing.
 */
export const connectionTestRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const errors = { 400: S.ErrorBody, 401: S.ErrorBody, 404: S.ErrorBody, 429: S.ErrorBody };
  app.post(
    "/v1/admin/merchants/test-connection",
    {
      schema: {
        body: S.ConnectionTestBody,
        response: { 200: S.ConnectionTest, 503: S.ErrorBody, ...errors },
      },
      schemaErrorFormatter: sourceSchemaErrors,
      preValidation: rejectMistypedSettings,
    },
    async (req) => {
      const { source, id } = req.body;
      let stored: unknown = null;
      if (id !== undefined) {
        const merchant = await ctx.store.read("merchantSourceSettings", { id });
        if (!merchant) throw notFound(`merchant ${id} not found`);
        if (merchant.source !== source)
          throw badRequest(`merchant ${id} is a ${merchant.source} merchant, not ${source}`);
        stored = merchant.settings;
      }
      const keyed = settingsFor(source, req.body, stored);
      const result =
        keyed.source === "btcpay"
          ? await ctx.sources?.testConnection("btcpay", keyed.settings)
          : await ctx.sources?.testConnection("lnbits", keyed.settings);
      if (!result) throw new HttpError(503, `this service has no ${source} client to test with`);
      return result;
    },
  );
};
