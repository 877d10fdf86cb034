import cors from "@fastify/cors";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
  type RouteOptions,
} from "fastify";
import { adminRoutes } from "./api/admin.js";
import { registerRequestParsing } from "./api/body.js";
import { clientErrorHandler, keepConnectionAfterBodyError } from "./api/connection-errors.js";
import type { AppContext } from "./api/context.js";
import { frameworkErrors, HttpError } from "./api/errors.js";
import { eventPublicRoutes } from "./api/event.js";
import { lazySchemaController } from "./api/lazy-schemas.js";
import { countRequests, metricsRoutes } from "./api/metrics.js";
import { describeApi, serveApiDocs } from "./api/openapi.js";
import { publicRoutes } from "./api/public.js";
import { ReadCache } from "./api/read-cache.js";
import { recapRoutes } from "./api/recap.js";
import { scenePublicRoutes } from "./api/scenes.js";
import { sourceWebhookRoutes } from "./api/source-webhooks.js";
import { streamRoutes } from "./api/stream.js";
import { isAppPath, registerWebApp } from "./api/web-app-files.js";
import { webhookRoutes } from "./api/webhooks.js";
import { limitConnections, type ServerLimits, serverTimeouts } from "./http/server-limits.js";
import { LiveHub } from "./live/hub.js";
import { ChangeFeed, PlaylistFeed } from "./live/playlist.js";
import { logRequest, requestIds, withoutSecrets } from "./log/request-log.js";
import type { ServiceMetrics } from "./metrics/service-metrics.js";

export interface AppDeps extends Omit<AppContext, "now" | "cache"> {
  now?: () => number;
  /** Cached dashboard answers; when absent every read goes to the database. */
  cache?: ReadCache;
  /** Shared with the poller so every line goes to one stream; silent when absent (tests). */
  logger?: FastifyBaseLogger;
  /** The live stream's hub; one is made when absent. Started and stopped with the app. */
  hub?: LiveHub;
  /** Folder of the built web app (index.html); the API alone is served when absent. */
  webRoot?: string;
  /** Timeouts and connection caps of the listening server; Fastify's and Node's defaults when absent. */
  limits?: ServerLimits;
  /** Served at /metrics (behind METRICS_TOKEN when set); no /metrics when absent. */
  metrics?: ServiceMetrics;
  /** Whether every request is counted in the metrics (true; false only to measure what that costs). */
  countHttp?: boolean;
  /** Told of every route as it is added, before it is described (a test lists them). */
  onRoute?: (route: RouteOptions) => void;
  /**
   * Given what puts an operator's changes on the stream, so that a change another instance made is
   * published here as this instance's own (service.ts, live/cluster-feed.ts).
   */
  onChangeFeeds?: (feeds: { scenesChanged(): void; eventChanged(): void }) => void;
}

const BODY_LIMIT = 1024 * 1024;

/** The HTTP application, fully wired but not listening: main.ts listens, tests inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const ctx: AppContext = {
    ...deps,
    now: deps.now ?? Date.now,
    cache: deps.cache ?? new ReadCache({ maxStaleMs: 0, refreshAfterMs: 0 }),
  };
  const app = Fastify(serverOptions(deps)).withTypeProvider<TypeBoxTypeProvider>();
  if (deps.limits) limitConnections(app.server, deps.limits, app.log);
  registerRequestParsing(app);
  await describeAndCount(app, deps);

  // Callback style (no promise per request): this runs for every request the service answers.
  app.addHook("onResponse", (req, reply, done) => {
    const size = reply.getHeader("content-length");
    logRequest(req.log, {
      reqId: req.id,
      method: req.method,
      // A webhook's ?secret= never reaches a log line.
      path: withoutSecrets(req.url),
      ip: req.ip,
      status: reply.statusCode,
      bytes: size === undefined ? undefined : Number(size),
      ms: reply.elapsedTime,
    });
    done();
  });

  app.setErrorHandler(answerError);

  const hub = deps.hub ?? new LiveHub({ maxClients: deps.config.maxStreamClients });
  app.addHook("onReady", async () => hub.start());
  // Open streams would otherwise keep close() waiting forever.
  app.addHook("preClose", async () => hub.stop());
  const { playlist, eventFeed } = changeFeeds(app, ctx, hub, deps.onChangeFeeds);

  const webServed = deps.webRoot !== undefined && (await registerWebApp(app, deps.webRoot));
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0] ?? "/";
    if (webServed && isAppPath(req.method, path) && !/\.[a-z0-9]+$/i.test(path)) {
      return reply.header("cache-control", "no-cache").sendFile("index.html");
    }
    return reply.code(404).send({ error: `no route for ${req.method} ${path}` });
  });

  await app.register(cors, corsOptions(deps.config.corsOrigins));
  await app.register(publicRoutes, { ctx });
  await app.register(scenePublicRoutes, { ctx });
  await app.register(eventPublicRoutes, { ctx });
  await app.register(recapRoutes, { ctx });
  await app.register(adminRoutes, { ctx, playlist, eventFeed });
  await app.register(streamRoutes, { hub });
  await app.register(webhookRoutes, { ctx });
  await app.register(sourceWebhookRoutes, { ctx });
  await observability(app, deps);
  return app;
}

/** Fastify's options: the one request line, ids, limits, error shapes and lazily compiled schemas. */
function serverOptions(deps: AppDeps) {
  return {
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    // One line per request is written by buildApp's onResponse hook, in the seed's format.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (it costs more than the request itself on a cached read); the lines
    // that concern a request carry its id themselves.
    childLoggerFactory: (logger: FastifyBaseLogger) => logger,
    genReqId: requestIds(),
    ...(deps.limits ? serverTimeouts(deps.limits) : {}),
    clientErrorHandler,
    frameworkErrors,
    schemaController: lazySchemaController(),
  };
}

/** Before any route: each one is described as it is added (api/openapi.ts), and counted when answered. */
async function describeAndCount(app: FastifyInstance, deps: AppDeps): Promise<void> {
  if (deps.onRoute) app.addHook("onRoute", deps.onRoute);
  await describeApi(app);
  if (deps.metrics && deps.countHttp !== false) countRequests(app, deps.metrics);
}

/** /metrics (when the service has metrics), then /openapi.json and /docs, which describe every route. */
async function observability(app: FastifyInstance, deps: AppDeps): Promise<void> {
  if (deps.metrics)
    await app.register(metricsRoutes, { metrics: deps.metrics, token: deps.config.metricsToken });
  await serveApiDocs(app);
}

/** What puts an operator's changes on the live stream: the playlist, and the event settings. */
function changeFeeds(app: FastifyInstance, ctx: AppContext, hub: LiveHub, onFeeds: AppDeps["onChangeFeeds"]) {
  const playlist = new PlaylistFeed({
    read: () => ctx.store.read("scenes", {}),
    publish: (scenes) => hub.publish("scenes", { scenes }),
    onError: (err) => app.log.error({ err }, "could not read the scenes to announce a change"),
  });
  app.addHook("preClose", async () => playlist.stop());
  // The settings, then a summary: its since-doors figures follow doors_opened_at.
  const eventFeed = new ChangeFeed({
    read: async () => ({
      settings: await ctx.store.read("eventSettings", {}),
      summary: await ctx.store.read("summary", {
        now: ctx.now(),
        rateWindowMs: ctx.config.rateWindowMs,
        pollIntervalMs: ctx.config.pollIntervalMs,
      }),
    }),
    publish: ({ settings, summary }) => {
      hub.publish("event", settings);
      // Null only for a merchant filter naming no merchant; this read has none.
      if (summary) hub.publish("summary", summary);
    },
    onError: (err) => app.log.error({ err }, "could not read the event settings to announce a change"),
  });
  app.addHook("preClose", async () => eventFeed.stop());
  onFeeds?.({ scenesChanged: () => playlist.changed(), eventChanged: () => eventFeed.changed() });
  return { playlist, eventFeed };
}

/** The one error handler: every error in the API's shape, {"error": "message"}. */
function answerError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const { status, message } = describeError(err, req.routeOptions.bodyLimit ?? BODY_LIMIT);
  if (status >= 500) req.log.error({ err, reqId: req.id }, "request failed");
  keepConnectionAfterBodyError(req, reply);
  if (err instanceof HttpError && err.retryAfterSeconds !== undefined) {
    reply.header("retry-after", String(err.retryAfterSeconds));
  }
  return reply.code(status).send({ error: message });
}

/** Maps any error to what the client may see: 4xx say what was wrong, 5xx say nothing internal. */
function describeError(err: FastifyError, bodyLimit: number): { status: number; message: string } {
  if (err instanceof HttpError) return { status: err.statusCode, message: err.message };
  if (err.validation) return { status: 400, message: err.message };
  const status = err.statusCode ?? 500;
  if (status >= 500) return { status: 500, message: "internal server error" };
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, message: `request body is larger than ${sizeInWords(bodyLimit)}` };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, message: "request body must be application/json" };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, message: "request body is empty; send a JSON object" };
  }
  if (err instanceof SyntaxError || err.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return { status: 400, message: "request body is not valid JSON" };
  }
  return { status, message: err.message };
}

/** 1048576 → "1 MB", 524288 → "512 KB". */
function sizeInWords(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`;
}

function corsOptions(origins: readonly string[]) {
  return {
    origin: origins.includes("*") ? "*" : [...origins],
    // What the original frontend's preflights ask for (PATCH and X-Requested-With included), and the
    // stream's Last-Event-ID; cached 5 min as the original has it.
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allowedHeaders: [
      "Accept",
      "Authorization",
      "Content-Type",
      "X-Admin-Token",
      "X-Requested-With",
      "Last-Event-ID",
    ],
    maxAge: 300,
    // An OPTIONS without Origin or Access-Control-Request-Method is answered as a preflight (204), not
    // with the plugin's text/plain 400, which is not the API's error shape.
    strictPreflight: false,
  };
}
