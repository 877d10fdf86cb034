/**
 * The API's contract: every request body, query, params, answer, error and live-stream event, as
 * TypeBox schemas (validation in, serialisation out, the OpenAPI document) with their static types.
 * The web app imports the types only (`import type`), so none of this is bundled into it.
 */
export * from "./admin.js";
export * from "./common.js";
export * from "./dashboard.js";
export * from "./data-health.js";
export * from "./event.js";
export * from "./exports.js";
export * from "./limits.js";
export * from "./observe.js";
export * from "./recap.js";
export * from "./scenes.js";
export * from "./source-webhooks.js";
export * from "./sources.js";
export * from "./stream.js";
export * from "./webhooks.js";
export * from "./wifi.js";
