// A small typed fetch client for /v1. No state besides the (optional) admin token passed in.
import type {
  AdminMerchant,
  AdminMilestone,
  ConnectionTest,
  ConnectionTestBody,
  DataHealth,
  EventSettings,
  EventSettingsUpdate,
  ExportFormat,
  ExportKind,
  MerchantCreate,
  MerchantLeader,
  MerchantUpdate,
  Metric,
  MilestoneCreate,
  MilestoneTrigger,
  MilestoneUpdate,
  ProductLeader,
  Recap,
  Scene,
  SceneCreate,
  SceneUpdate,
  Summary,
  TickerRow,
  Timeseries,
  UpcomingMilestone,
  Webhook,
  WebhookCreate,
  WebhookDelivery,
  WebhookUpdate,
} from "./types";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** A failed request. `status` is 0 when the server could not be reached at all. */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
  get isNetwork(): boolean {
    return this.status === 0;
  }
  get isUnauthorized(): boolean {
    return this.status === 401;
  }
  get isRateLimited(): boolean {
    return this.status === 429;
  }
}

export interface ClientOptions {
  baseUrl?: string;
  fetch?: FetchLike;
  token?: string | null;
  timeoutMs?: number;
}

type Query = Record<string, string | number | undefined | null>;

/** `{a: 1, b: undefined}` → "?a=1"; empty → "". */
export function buildQuery(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const text = await res.text();
    if (text) {
      try {
        const body = JSON.parse(text) as { error?: unknown; message?: unknown };
        if (typeof body.error === "string" && body.error) return body.error;
        if (typeof body.message === "string" && body.message) return body.message;
      } catch {
        if (text.length < 200 && !text.trimStart().startsWith("<")) return text.trim();
      }
    }
  } catch {
    // fall through
  }
  return `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
}

export async function request<T>(
  path: string,
  options: ClientOptions & { method?: string; body?: unknown; query?: Query; file?: Blob } = {},
): Promise<T> {
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const headers: Record<string, string> = { Accept: "application/json" };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  // A file goes as its own bytes (the logo upload), labelled with its own type.
  if (options.file) headers["Content-Type"] = options.file.type || "application/octet-stream";
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const controller = typeof AbortController === "function" ? new AbortController() : null;
  const timer = controller ? setTimeout(() => controller.abort(), options.timeoutMs ?? 15_000) : null;
  let res: Response;
  try {
    res = await doFetch(`${options.baseUrl ?? ""}${path}${buildQuery(options.query)}`, {
      method: options.method ?? "GET",
      headers,
      body: options.file ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      signal: controller?.signal,
      // Public reads say max-age=1 and stale-while-revalidate for proxies in front; the app asks right
      // after the stream says something changed, so it revalidates every time (a 304 when nothing did)
      // instead of taking the browser's stored copy.
      cache: "no-cache",
    });
  } catch (err) {
    const aborted = err instanceof Error && err.name === "AbortError";
    throw new ApiError(0, aborted ? "The server took too long to answer" : "Cannot reach the server");
  } finally {
    if (timer) clearTimeout(timer);
  }
  if (!res.ok) throw new ApiError(res.status, await errorMessage(res));
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, "The server sent an unreadable response");
  }
}

/**
 * A file the server sends as an attachment (an admin export), whole, with the name it gives it. The
 * token goes in a header, never in the URL (which logs and browser history keep); no timeout, since a
 * large export takes as long as it takes.
 */
export async function download(
  path: string,
  options: ClientOptions & { query?: Query },
): Promise<{ blob: Blob; filename: string }> {
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const headers: Record<string, string> = options.token ? { Authorization: `Bearer ${options.token}` } : {};
  let res: Response;
  try {
    res = await doFetch(`${options.baseUrl ?? ""}${path}${buildQuery(options.query)}`, { headers });
  } catch {
    throw new ApiError(0, "Cannot reach the server");
  }
  if (!res.ok) throw new ApiError(res.status, await errorMessage(res));
  const filename = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "")?.[1] ?? "export";
  return { blob: await res.blob(), filename };
}

function list<T>(value: T[] | null | undefined): T[] {
  return Array.isArray(value) ? value : [];
}

export interface LeaderboardQuery {
  metric?: Metric;
  /** Go duration or "all". */
  window?: string;
  limit?: number;
  /** One merchant's (a booth screen's); the product leaderboard only. */
  merchantId?: string | undefined;
}

export function createPublicApi(options: ClientOptions = {}) {
  return {
    health: () => request<{ status: string }>("/v1/health", options),
    /** Everyone's totals, or one merchant's (a booth screen's). */
    summary: (merchantId?: string) =>
      request<Summary>("/v1/summary", { ...options, query: { merchant_id: merchantId } }),
    ticker: async (limit = 20, merchantId?: string) =>
      list(
        await request<TickerRow[]>("/v1/ticker", { ...options, query: { limit, merchant_id: merchantId } }),
      ),
    merchantLeaderboard: async (q: LeaderboardQuery = {}) =>
      list(
        await request<MerchantLeader[]>("/v1/leaderboard/merchants", {
          ...options,
          query: { metric: q.metric, window: q.window, limit: q.limit },
        }),
      ),
    productLeaderboard: async (q: LeaderboardQuery = {}) =>
      list(
        await request<ProductLeader[]>("/v1/leaderboard/products", {
          ...options,
          // Products default to all-time; "all" is expressed by leaving the window out.
          query: {
            metric: q.metric,
            window: q.window === "all" ? undefined : q.window,
            limit: q.limit,
            merchant_id: q.merchantId,
          },
        }),
      ),
    triggers: async (since?: string) =>
      list(await request<MilestoneTrigger[]>("/v1/milestones/triggers", { ...options, query: { since } })),
    /** Enabled milestones not fired yet, by threshold: what the progress bar heads for. */
    upcomingMilestones: async () =>
      list(await request<UpcomingMilestone[]>("/v1/milestones/upcoming", options)),
    timeseries: async (q: { window: string; bucket: string; merchantId?: string }) => {
      const ts = await request<Timeseries>("/v1/timeseries", {
        ...options,
        query: { window: q.window, bucket: q.bucket, merchant_id: q.merchantId },
      });
      return { ...ts, buckets: list(ts?.buckets) };
    },
    /** The venue playlist: enabled scenes by order. */
    scenes: async () => list(await request<Scene[]>("/v1/scenes", options)),
    /** The event's settings (name, logo, accent, time zone, …) as the operator stored them. */
    event: () => request<EventSettings>("/v1/event", options),
    /** The event's report over [from, to); the server's defaults (doors to now) for those left out. */
    recap: (q: { from?: string | undefined; to?: string | undefined } = {}) =>
      request<Recap>("/v1/recap", { ...options, query: { from: q.from, to: q.to } }),
  };
}

export type PublicApi = ReturnType<typeof createPublicApi>;

export function createAdminApi(token: string, options: ClientOptions = {}) {
  const o = { ...options, token };
  const id = (v: string | number) => encodeURIComponent(String(v));
  return {
    login: () =>
      request<{ status: string }>("/v1/admin/auth/login", { ...options, method: "POST", body: { token } }),
    merchants: async () => list(await request<AdminMerchant[]>("/v1/admin/merchants", o)),
    saveMerchant: (body: MerchantCreate) =>
      request<AdminMerchant>("/v1/admin/merchants", { ...o, method: "POST", body }),
    updateMerchant: (merchantId: string, body: MerchantUpdate) =>
      request<AdminMerchant>(`/v1/admin/merchants/${id(merchantId)}`, { ...o, method: "PUT", body }),
    deleteMerchant: (merchantId: string) =>
      request<void>(`/v1/admin/merchants/${id(merchantId)}`, { ...o, method: "DELETE" }),
    /** Calls the merchant's source once with these settings; 200 either way, `ok` says which. */
    testConnection: (body: ConnectionTestBody) =>
      request<ConnectionTest>("/v1/admin/merchants/test-connection", { ...o, method: "POST", body }),
    refetchMerchant: (merchantId: string) =>
      request<{ status: string }>(`/v1/admin/merchants/${id(merchantId)}/refetch`, { ...o, method: "POST" }),
    /** The public totals, for saying what a change will do (a re-armed milestone fires at once if passed). */
    summary: () => request<Summary>("/v1/summary", options),
    milestones: async () => list(await request<AdminMilestone[]>("/v1/admin/milestones", o)),
    createMilestone: (body: MilestoneCreate) =>
      request<AdminMilestone>("/v1/admin/milestones", { ...o, method: "POST", body }),
    updateMilestone: (milestoneId: number, body: MilestoneUpdate) =>
      request<AdminMilestone>(`/v1/admin/milestones/${id(milestoneId)}`, { ...o, method: "PUT", body }),
    deleteMilestone: (milestoneId: number) =>
      request<void>(`/v1/admin/milestones/${id(milestoneId)}`, { ...o, method: "DELETE" }),
    scenes: async () => list(await request<Scene[]>("/v1/admin/scenes", o)),
    saveScene: (body: SceneCreate) => request<Scene>("/v1/admin/scenes", { ...o, method: "POST", body }),
    updateScene: (sceneId: string, body: SceneUpdate) =>
      request<Scene>(`/v1/admin/scenes/${id(sceneId)}`, { ...o, method: "PUT", body }),
    deleteScene: (sceneId: string) =>
      request<void>(`/v1/admin/scenes/${id(sceneId)}`, { ...o, method: "DELETE" }),
    event: () => request<EventSettings>("/v1/event", options),
    /** A partial update: fields left out are kept, null clears. */
    updateEvent: (body: EventSettingsUpdate) =>
      request<EventSettings>("/v1/admin/event", { ...o, method: "PUT", body }),
    uploadLogo: (file: Blob) => request<EventSettings>("/v1/admin/event/logo", { ...o, method: "PUT", file }),
    webhooks: async () => list(await request<Webhook[]>("/v1/admin/webhooks", o)),
    createWebhook: (body: WebhookCreate) =>
      request<Webhook>("/v1/admin/webhooks", { ...o, method: "POST", body }),
    /** A partial update: fields left out are kept, the secret too. */
    updateWebhook: (webhookId: number, body: WebhookUpdate) =>
      request<Webhook>(`/v1/admin/webhooks/${id(webhookId)}`, { ...o, method: "PUT", body }),
    deleteWebhook: (webhookId: number) =>
      request<void>(`/v1/admin/webhooks/${id(webhookId)}`, { ...o, method: "DELETE" }),
    deliveries: async (webhookId: number) =>
      list(await request<WebhookDelivery[]>(`/v1/admin/webhooks/${id(webhookId)}/deliveries`, o)),
    deleteLogo: () => request<EventSettings>("/v1/admin/event/logo", { ...o, method: "DELETE" }),
    /** Per merchant: freshness, failures, skipped rows, product totals against the source's. */
    dataHealth: () => request<DataHealth>("/v1/admin/data-health", o),
    exportFile: (kind: ExportKind, format: ExportFormat, query: Query) =>
      download(`/v1/admin/exports/${kind}`, { ...o, query: { ...query, format } }),
  };
}

export type AdminApi = ReturnType<typeof createAdminApi>;
