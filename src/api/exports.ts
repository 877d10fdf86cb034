import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import * as S from "../contract/index.js";
import type { ExportCursor, ExportFilter } from "../store/exports.js";
import { unknownMerchant } from "./cached-read.js";
import type { AppContext } from "./context.js";
import { badRequest, notFound } from "./errors.js";
import { CONTENT_TYPES, encoder, exportFilename, exportStream } from "./export-files.js";
import { sourceFilter, timeRange } from "./params.js";

/**
 * Rows per read. Each read is one call to the ingest thread, which polls between them: 2,000 rows keep
 * a call to a few milliseconds there and the file's buffer to a few hundred KB here, while the calls'
 * own cost stays small beside the rows'.
 */
export const EXPORT_BATCH = 2000;

/**
 * GET /v1/admin/exports/{sales|lines|products|triggers}: every row of a kind, filtered, as CSV or
 * NDJSON, streamed a batch at a time (export-files.ts). Registered inside the admin scope, behind
 * its token. Everything that can be refused is refused before the first byte: the parameters, an
 * unknown merchant, and a failure of the first read are JSON errors.
 */
export const exportRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (app, { ctx }) => {
  const { store, now } = ctx;
  const file = { schema: S.ExportFile };
  const errors = { 400: S.ErrorBody, 401: S.ErrorBody, 404: S.ErrorBody, 429: S.ErrorBody };
  app.get(
    "/v1/admin/exports/:kind",
    {
      schema: {
        params: S.ExportParams,
        querystring: S.ExportQuery,
        response: {
          200: { description: "The export", content: { "text/csv": file, "application/x-ndjson": file } },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const { kind } = req.params;
      const format = req.query.format ?? "csv";
      const filter = exportFilter(kind, req.query);
      if (filter.merchantId !== undefined && !(await store.read("merchant", { id: filter.merchantId })))
        throw notFound(unknownMerchant(filter.merchantId));
      const read = (after: ExportCursor | null) =>
        store.read("exportBatch", { kind, filter, after, limit: EXPORT_BATCH });
      const first = await read(null);
      return (
        reply
          .type(CONTENT_TYPES[format])
          .header(
            "content-disposition",
            `attachment; filename="${exportFilename(kind, format, filter, now())}"`,
          )
          .header("cache-control", "no-store")
          // The schema describes the file's text; what is sent is the stream that writes it.
          .send(exportStream(first, read, encoder(kind, format)) as unknown as string)
      );
    },
  );
};

/** The filter of one kind; a filter that kind's rows do not carry is refused rather than ignored. */
function exportFilter(kind: S.ExportKind, q: S.ExportQuery): ExportFilter {
  const source = sourceFilter(q.source);
  const { fromMs, toMs } = timeRange(q);
  if (kind === "products" && (fromMs !== undefined || toMs !== undefined))
    throw badRequest("products are not dated: from and to do not apply to them");
  if (kind === "triggers" && (source !== undefined || q.merchant_id !== undefined))
    throw badRequest(
      "milestone triggers belong to no merchant or source: merchant_id and source do not apply",
    );
  return { merchantId: q.merchant_id, source, fromMs, toMs };
}
