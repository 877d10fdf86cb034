import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import * as S from "../contract/index.js";
import type { SourceHint } from "../sources/source-client.js";
import type { WebhookTarget } from "../store/webhook-target.js";
import { tokenMatcher } from "./auth.js";
import type { AppContext } from "./context.js";
import { HttpError } from "./errors.js";
import {
  btcpaySignature,
  btcpaySignatureMatches,
  type DeliveryReading,
  readBtcpayDelivery,
  readLnbitsDelivery,
} from "./source-webhook-body.js";
import { presentedSecretMatches } from "./webhooks.js";

/** As the rest of the API (app.ts): a larger delivery is a 413 before anything reads it. */
const BODY_LIMIT = 1024 * 1024;
const MERCHANT_ID = new RegExp(S.MERCHANT_ID_PATTERN);

type Source = "btcpay" | "lnbits";
type Hook = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * BTCPay Server's and LNbits' own webhook deliveries for one merchant. A delivery is only a hint: it
 * makes ingest poll that merchant now, and the poll decides what is a sale; nothing here stores one.
 * The merchant, its source and its secret are checked before the body is read (LNbits: all of it;
 * BTCPay: all but the signature, which covers the exact bytes received, kept raw for that).
 */
export const sourceWebhookRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  // This scope only: every body as the bytes received, whatever its content type (LNbits' core
  // webhook sends none); the rest of the API keeps its JSON parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: BODY_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
  const targets = new WeakMap<FastifyRequest, WebhookTarget>();
  const schema = {
    params: S.SourceWebhookParams,
    response: {
      200: S.SourceWebhookAnswer,
      ...{ 400: S.ErrorBody, 401: S.ErrorBody, 404: S.ErrorBody, 413: S.ErrorBody, 503: S.ErrorBody },
    },
  };
  const lookUp =
    (source: Source, authorize: (req: FastifyRequest, t: WebhookTarget) => void): Hook =>
    async (req) => {
      const target = await findTarget(ctx, merchantIdOf(req), source);
      authorize(req, target);
      targets.set(req, target);
    };

  app.post(
    "/v1/webhooks/btcpay/:merchant_id",
    { onRequest: lookUp("btcpay", requireSignatureHeader), schema },
    async (req): Promise<S.SourceWebhookAnswer> => {
      const target = targets.get(req) as WebhookTarget;
      const raw = rawBody(req.body);
      const signature = btcpaySignature(req.headers["btcpay-sig"]) as Buffer;
      if (!btcpaySignatureMatches(target.webhookSecret as string, raw, signature))
        throw new HttpError(401, "invalid BTCPay-Sig signature");
      return hintFor(ctx, req.params.merchant_id, target, readBtcpayDelivery(raw));
    },
  );

  app.post(
    "/v1/webhooks/lnbits/:merchant_id",
    { onRequest: lookUp("lnbits", requireLnbitsSecret), schema },
    async (req): Promise<S.SourceWebhookAnswer> => {
      const target = targets.get(req) as WebhookTarget;
      const reading = { hint: readLnbitsDelivery(rawBody(req.body)) };
      return hintFor(ctx, req.params.merchant_id, target, reading);
    },
  );
};

/** The path's merchant id as routed (params are validated only after the body is read). */
function merchantIdOf(req: FastifyRequest): string {
  return (req.params as Record<string, string | undefined>).merchant_id ?? "";
}

/** 404 for no such merchant, 400 for one of another source. */
async function findTarget(ctx: AppContext, id: string, source: Source): Promise<WebhookTarget> {
  const target = MERCHANT_ID.test(id) ? await ctx.store.read("webhookTarget", { id }) : undefined;
  if (!target) throw new HttpError(404, `no merchant ${JSON.stringify(id)}`);
  if (target.source !== source)
    throw new HttpError(
      400,
      `merchant ${id} takes payments with ${target.source}, not ${source}: this is the ${source} webhook`,
    );
  return target;
}

/** Before the body: a merchant without a secret, or a delivery without a well-formed signature, is a 401. */
function requireSignatureHeader(req: FastifyRequest, target: WebhookTarget): void {
  if (target.webhookSecret === null)
    throw new HttpError(401, "this merchant has no webhook_secret: set it to the BTCPay webhook's secret");
  if (!btcpaySignature(req.headers["btcpay-sig"]))
    throw new HttpError(401, "missing or malformed BTCPay-Sig header (sha256=<64 hex digits>)");
}

/** `X-Webhook-Secret`, else `?secret=`, against the merchant's webhook_secret in constant time. */
function requireLnbitsSecret(req: FastifyRequest, target: WebhookTarget): void {
  const secret = target.webhookSecret;
  if (secret === null || !presentedSecretMatches(req, tokenMatcher(secret)))
    throw new HttpError(401, "invalid webhook secret");
}

/** An empty delivery (no body, no content type) is read as zero bytes. */
function rawBody(body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

/** Asks ingest to poll the merchant now; answers as soon as it has asked, never after the poll. */
async function hintFor(
  ctx: AppContext,
  merchantId: string,
  target: WebhookTarget,
  reading: DeliveryReading,
): Promise<S.SourceWebhookAnswer> {
  if ("ignored" in reading) return { status: "ignored", reason: reading.ignored };
  if (!target.enabled) return { status: "ignored", reason: "merchant is disabled" };
  if (!ctx.hint) throw new HttpError(503, "webhook hints cannot be passed on here");
  const answer = await ctx.hint(merchantId, reading.hint satisfies SourceHint);
  if (answer === "started" || answer === "coalesced") return { status: "ok" };
  if (answer === "stopped") throw new HttpError(503, "the service is stopping; deliver again later", 10);
  // Deleted, disabled or re-created between the lookup and the hint.
  const why = { disabled: "merchant is disabled", "unknown merchant": "merchant was deleted" } as const;
  return { status: "ignored", reason: answer === "not keyed" ? "merchant changed source" : why[answer] };
}
