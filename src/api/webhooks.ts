import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import * as S from "../contract/index.js";
import { type Answer, makeAnswer, sendAnswer } from "./answer.js";
import { tokenMatcher } from "./auth.js";
import { UPSTREAM_BODY } from "./body.js";
import type { AppContext } from "./context.js";
import { HttpError } from "./errors.js";
import { readWebhookBody } from "./webhook-body.js";

/** The venue's WiFi offer, constant as in the original; only the lightning address is configured. */
export const WIFI_OFFER = {
  description:
    "Upgrade the venue WiFi from 30 Mbps to 100 Mbps for 8 hours for 2,100 sats. 5% of every upgrade is donated to the project that provides the network.",
  price_sats: "2100",
  duration_hours: "8",
} as const;

/**
 * Sales pushed to us rather than polled: the WiFi upgrade's LNbits payment webhook, and the offer the
 * WiFi scene shows. The sale itself is stored by ingest (ctx.storeWebhookSale), like a poll's.
 */
export const webhookRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const secret = ctx.config.webhookSecret;
  const matches = secret === undefined ? undefined : tokenMatcher(secret);
  const errors = { 400: S.ErrorBody, 401: S.ErrorBody, 409: S.ErrorBody, 503: S.ErrorBody };

  // Constant for the process's life: serialised, tagged and compressed once, then answered like a cached read.
  let wifiConfig: Promise<Answer> | undefined;
  const schema = { response: { 200: S.WifiConfig, 304: S.NotModified } };
  app.get("/v1/wifi/config", { schema }, async (req, reply) => {
    const config: S.WifiConfig = { lightning_address: ctx.config.wifiLightningAddress ?? "", ...WIFI_OFFER };
    wifiConfig ??= makeAnswer(Buffer.from(reply.serialize(config) as string));
    sendAnswer(req, reply, await wifiConfig);
    return reply;
  });

  app.post(
    "/v1/webhooks/wifi",
    {
      // LNbits' body, not a client's: an odd character in it is replaced, not refused (api/body.ts).
      config: UPSTREAM_BODY,
      // Before the body is read or parsed: a caller without the secret gets nothing stored or parsed.
      onRequest: (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
        const refused = matches !== undefined && !presentedSecretMatches(req, matches);
        done(refused ? new HttpError(401, "invalid webhook secret") : undefined);
      },
      schema: { response: { 200: S.WifiWebhookAnswer, ...errors } },
    },
    async (req): Promise<S.WifiWebhookAnswer> => {
      const sale = readWebhookBody(req.body, ctx.now());
      if (!ctx.storeWebhookSale) throw new HttpError(503, "webhook sales cannot be stored here");
      const stored = await ctx.storeWebhookSale(sale);
      if (stored.kind === "conflict") {
        throw new HttpError(
          409,
          `merchant wifi exists with source "${stored.source}"; WiFi sales need it for themselves (rename or delete that merchant)`,
        );
      }
      return { status: "ok", inserted: stored.kind === "stored" ? 1 : 0, amount_sats: sale.amountSats };
    },
  );
};

/**
 * The header `X-Webhook-Secret`, or `?secret=` when that header is absent or empty (an LNbits pay link
 * can set headers, a plain webhook URL only a query). Compared in constant time, lengths included.
 */
export function presentedSecretMatches(
  req: FastifyRequest,
  matches: (candidate: string) => boolean,
): boolean {
  const header = req.headers["x-webhook-secret"];
  if (typeof header === "string" && header !== "") return matches(header);
  const query = (req.query as Record<string, unknown> | undefined)?.secret;
  // A repeated ?secret= is refused rather than guessed at.
  return typeof query === "string" && matches(query);
}
