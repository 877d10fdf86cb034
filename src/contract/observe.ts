import { type Static, Type } from "typebox";

/** What operators' tools read: the API's description and the Prometheus metrics. */

/** `GET /openapi.json`: this API's OpenAPI 3.1 document, generated from the routes' schemas. */
export const OpenApiDocument = Type.Object(
  { openapi: Type.String(), info: Type.Object({}, { additionalProperties: true }) },
  { additionalProperties: true, description: "OpenAPI 3.1 document" },
);
export type OpenApiDocument = Static<typeof OpenApiDocument>;

/** `GET /metrics`: Prometheus' text exposition format (version 0.0.4). */
export const MetricsText = Type.String({ description: "Prometheus text exposition format 0.0.4" });
export type MetricsText = Static<typeof MetricsText>;
