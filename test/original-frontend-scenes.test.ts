/**
 * Scenes (spec /work/shared/spec/original-later-api.md §6) as the ORIGINAL frontend's scene panel and
 * rotation call them (test/support/original-client.ts, written from §1: the admin headers on every
 * call, response.json() on every 2xx, the UI's failure messages), against the real service (ingest
 * thread, real 127.0.0.1 port) on a database file, restarted at the end to see the edits persist.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Scene, type Served, serve } from "./support/original-client.js";

let dir: string;
let served: Served;
const admin = <T>(method: string, path: string, body?: unknown) => served.client.admin<T>(method, path, body);
const adminScenes = async () => (await admin<Scene[]>("GET", "/v1/admin/scenes")).data;
const playlist = async () => (await served.client.get<Scene[]>("/v1/scenes")).data;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "original-scenes-"));
  served = await serve({ dbPath: join(dir, "dashboard.db") });
}, 30_000);

afterAll(async () => {
  await served?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const byOrderThenId = (a: Scene, b: Scene) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe("§6 scenes", () => {
  it("a new database has the scenes both frontends know: ours enabled, the original's wifi and merch disabled (README)", async () => {
    const scenes = await adminScenes();
    expect(scenes.map((s) => [s.id, s.enabled, s.order, s.duration])).toEqual([
      ["overview", true, 1, 20_000],
      ["merchants", true, 2, 20_000],
      ["products", true, 3, 20_000],
      ["trends", true, 4, 20_000],
      ["wifi", false, 5, 20_000],
      ["merch", false, 6, 20_000],
    ]);
    // The original frontend renders overview, merchants, wifi and merch; every id it knows is there.
    for (const id of ["overview", "merchants", "wifi", "merch"])
      expect(scenes.map((s) => s.id)).toContain(id);
    for (const s of scenes) {
      expect(s).toMatchObject({
        id: expect.any(String),
        name: expect.any(String),
        duration: expect.any(Number),
        enabled: expect.any(Boolean),
        order: expect.any(Number),
        created_at: expect.stringMatching(ISO),
        updated_at: expect.stringMatching(ISO),
      });
    }
    expect(scenes.find((s) => s.id === "wifi")?.name).toBe("WiFi");
  });

  it("GET /v1/scenes lists the enabled ones by order; GET /v1/admin/scenes all, and 401 without a token", async () => {
    const all = await adminScenes();
    expect(all).toEqual([...all].sort(byOrderThenId));
    expect(await playlist()).toEqual(all.filter((s) => s.enabled));
    const refused: Record<string, string>[] = [
      { Accept: "application/json" },
      { Authorization: "Bearer not-the-token" },
    ];
    for (const headers of refused) {
      const res = await fetch(`${served.base}/v1/admin/scenes`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: expect.any(String) });
    }
  });

  let created: Scene;

  it("creates with the create form's five fields: 201 with the stored scene, in both lists by order then id", async () => {
    const form = { id: "special", name: "Special", duration: 15_000, enabled: true, order: 3 };
    const r = await admin<Scene>("POST", "/v1/admin/scenes", form);
    expect(r.status).toBe(201);
    expect(r.data).toMatchObject({ ...form, created_at: expect.stringMatching(ISO) });
    created = r.data;
    const all = await adminScenes();
    // Ties by id: products (3) before special (3).
    expect(all.map((s) => s.id)).toEqual([
      "overview",
      "merchants",
      "products",
      "special",
      "trends",
      "wifi",
      "merch",
    ]);
    expect(all.find((s) => s.id === "special")).toEqual(created);
    expect((await playlist()).map((s) => s.id)).toEqual([
      "overview",
      "merchants",
      "products",
      "special",
      "trends",
    ]);
  });

  it("a POST of an existing id overwrites it: 201, created_at kept, no duplicate", async () => {
    const form = { id: "special", name: "Special offer", duration: 30_000, enabled: false, order: 8 };
    const r = await admin<Scene>("POST", "/v1/admin/scenes", form);
    expect(r.status).toBe(201);
    expect(r.data).toMatchObject({ ...form, created_at: created.created_at });
    expect(Date.parse(r.data.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.updated_at));
    const all = await adminScenes();
    expect(all.filter((s) => s.id === "special")).toEqual([r.data]);
    expect(all).toHaveLength(7);
    expect((await playlist()).map((s) => s.id)).not.toContain("special");
  });

  it('a POST without an id or a name is 400 {"error":"missing fields"} and stores nothing', async () => {
    const before = await adminScenes();
    for (const form of [
      { name: "No id", duration: 10_000, enabled: true, order: 9 },
      { id: "", name: "Empty id", duration: 10_000, enabled: true, order: 9 },
      { id: "noname", duration: 10_000, enabled: true, order: 9 },
      { id: "noname", name: "", duration: 10_000, enabled: true, order: 9 },
    ])
      await expect(admin("POST", "/v1/admin/scenes", form), JSON.stringify(form)).rejects.toThrow(
        'Request failed (400): {"error":"missing fields"}',
      );
    expect(await adminScenes()).toEqual(before);
  });

  it("takes the edit form's PUT {name, duration, enabled, order}: 200 with the scene; an id in the body is ignored", async () => {
    const edit = { name: "Special", duration: 12_000, enabled: true, order: 7 };
    const r = await admin<Scene>("PUT", "/v1/admin/scenes/special", edit);
    expect(r).toMatchObject({
      status: 200,
      data: { id: "special", ...edit, created_at: created.created_at },
    });
    expect((await playlist()).map((s) => s.id)).toEqual([
      "overview",
      "merchants",
      "products",
      "trends",
      "special",
    ]);

    const renamed = await admin<Scene>("PUT", "/v1/admin/scenes/special", {
      ...edit,
      id: "other",
      name: "Still special",
    });
    expect(renamed.data).toMatchObject({ id: "special", name: "Still special" });
    const ids = (await adminScenes()).map((s) => s.id);
    expect(ids).toContain("special");
    expect(ids).not.toContain("other");

    // Partial: an empty name, a 0 duration or order keep theirs; enabled is applied.
    const kept = await admin<Scene>("PUT", "/v1/admin/scenes/special", {
      name: "",
      duration: 0,
      enabled: false,
      order: 0,
    });
    expect(kept.data).toMatchObject({ name: "Still special", duration: 12_000, order: 7, enabled: false });
  });

  it("a PUT of an unknown id is 404", async () => {
    await expect(
      admin("PUT", "/v1/admin/scenes/nope", { name: "Nope", duration: 10_000, enabled: true, order: 1 }),
    ).rejects.toThrow(/^Request failed \(404\): \{"error":"[^"]+"\}$/);
    expect((await adminScenes()).map((s) => s.id)).not.toContain("nope");
  });

  it('deletes with 200 {"message":"scene deleted"} (body-less DELETE), then 404', async () => {
    const r = await admin("DELETE", "/v1/admin/scenes/merch");
    expect(r).toEqual({ status: 200, data: { message: "scene deleted" } });
    expect((await adminScenes()).map((s) => s.id)).not.toContain("merch");
    await expect(admin("DELETE", "/v1/admin/scenes/merch")).rejects.toThrow(
      /^Request failed \(404\): \{"error":"[^"]+"\}$/,
    );
    await expect(admin("DELETE", "/v1/admin/scenes/never-was")).rejects.toThrow(/^Request failed \(404\): /);
  });

  it("the edits and the delete persist across a restart", async () => {
    const before = await adminScenes();
    await served.stop();
    served = await serve({ dbPath: join(dir, "dashboard.db") });
    expect(await adminScenes()).toEqual(before);
    expect(before.find((s) => s.id === "special")).toMatchObject({ name: "Still special", enabled: false });
    expect(before.map((s) => s.id)).not.toContain("merch");
  }, 30_000);
});
