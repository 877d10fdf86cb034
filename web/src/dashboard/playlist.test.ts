import { describe, expect, it } from "vitest";
import type { Scene } from "../api/types";
import {
  BUILT_IN_PLAYLIST,
  contentLines,
  playlistFrom,
  RENDERED_SCENES,
  sceneDuration,
  stepAfterChange,
} from "./playlist";
import { parseSettings, type SceneId, sceneAt, settingsToSearch } from "./settings";

const scene = (id: string, order: number, extra: Partial<Scene> = {}): Scene => ({
  id,
  name: id.toUpperCase(),
  duration: 20_000,
  enabled: true,
  order,
  content: "",
  created_at: "2025-11-10T15:00:00Z",
  updated_at: "2025-11-10T15:00:00Z",
  ...extra,
});
const ids = (list: readonly { id: string }[]) => list.map((e) => e.id);

describe("playlistFrom", () => {
  it("is the built-in four until the playlist was ever read", () => {
    expect(playlistFrom(null)).toBe(BUILT_IN_PLAYLIST);
    expect(ids(BUILT_IN_PLAYLIST)).toEqual(["overview", "merchants", "products", "trends"]);
  });

  it("keeps enabled scenes this build renders, by order then id, with their names and durations", () => {
    const list = playlistFrom([
      scene("trends", 2, { duration: 5_000 }),
      scene("overview", 9),
      scene("products", 2),
      scene("merchants", 1, { enabled: false }),
      scene("wifi", 0, { enabled: false }),
      scene("karaoke", 0),
    ]);
    expect(ids(list)).toEqual(["products", "trends", "overview"]);
    expect(list[1]).toEqual({ id: "trends", name: "TRENDS", durationMs: 5_000, content: "" });
  });

  it("skips the merch scene while it has no lines, and shows it once it has", () => {
    expect(ids(playlistFrom([scene("overview", 1), scene("merch", 2, { content: " \n \n" })]))).toEqual([
      "overview",
    ]);
    const list = playlistFrom([scene("overview", 1), scene("merch", 2, { content: "Cap\n\nHoodie 21k" })]);
    expect(ids(list)).toEqual(["overview", "merch"]);
    expect(contentLines(list[1]?.content ?? "")).toEqual(["Cap", "Hoodie 21k"]);
  });

  it("shows the overview rather than nothing when no scene is left", () => {
    expect(ids(playlistFrom([]))).toEqual(["overview"]);
    expect(ids(playlistFrom([scene("karaoke", 1), scene("merch", 2)]))).toEqual(["overview"]);
  });

  it("renders the WiFi scene once enabled, in its place", () => {
    expect(RENDERED_SCENES.has("wifi")).toBe(true);
    expect(ids(playlistFrom([scene("wifi", 1), scene("overview", 2)]))).toEqual(["wifi", "overview"]);
  });
});

describe("scene durations and URL overrides", () => {
  const entry = { id: "overview" as const, name: "Overview", durationMs: 7_000, content: "" };
  it("each scene's own duration by default; rotate= sets one period for this screen; off stops", () => {
    expect(sceneDuration(parseSettings("").rotateMs, entry)).toBe(7_000);
    expect(sceneDuration(parseSettings("?rotate=30s").rotateMs, entry)).toBe(30_000);
    expect(sceneDuration(parseSettings("?rotate=off").rotateMs, entry)).toBeNull();
    expect(parseSettings("?rotate=playlist").rotateMs).toBe("playlist");
    expect(settingsToSearch(parseSettings("?rotate=playlist"))).toBe("");
  });

  it("scene= picks the first scene among those the playlist has, merch and wifi included", () => {
    expect(parseSettings("?scene=merch").scene).toBe("merch");
    const order: SceneId[] = ["overview", "merch", "trends"];
    expect(sceneAt(0, "merch", "auto", order).scene).toBe("merch");
    expect(sceneAt(1, "merch", "auto", order).scene).toBe("trends");
    // Not in the playlist: from the top.
    expect(sceneAt(0, "products", "auto", order).scene).toBe("overview");
  });
});

describe("stepAfterChange", () => {
  const before: SceneId[] = ["overview", "merchants", "products", "trends"];
  const showing = (step: number, order: SceneId[]) => sceneAt(step, "overview", "auto", order).scene;

  it("keeps the scene on screen when it is still in the new playlist, wherever it moved", () => {
    const after: SceneId[] = ["products", "overview", "trends"];
    const step = stepAfterChange(2, "overview", before, after);
    expect(showing(step, after)).toBe("products");
    const later = stepAfterChange(6, "overview", before, ["trends", "products"]);
    expect(showing(later, ["trends", "products"])).toBe("products");
  });

  it("goes on with whatever holds its place when the scene on screen was removed", () => {
    const after: SceneId[] = ["overview", "products", "trends"];
    expect(stepAfterChange(1, "overview", before, after)).toBe(1);
    expect(showing(1, after)).toBe("products");
  });

  it("starts at the screen's first scene once the playlist has it, unless the screen has moved on", () => {
    // ?scene=wifi: the built-in playlist has no wifi, so the overview shows until /v1/scenes answers.
    const after: SceneId[] = ["overview", "merchants", "wifi"];
    const at = (step: number) => sceneAt(step, "wifi", "auto", after).scene;
    expect(sceneAt(0, "wifi", "auto", before).scene).toBe("overview");
    expect(at(stepAfterChange(0, "wifi", before, after))).toBe("wifi");
    // Moved on (a tap on the nav, or a slow playlist): what is on screen stays.
    expect(at(stepAfterChange(1, "wifi", before, after))).toBe("merchants");
  });

  it("copes with a playlist shrunk to one scene and back", () => {
    expect(showing(stepAfterChange(3, "overview", before, ["overview"]), ["overview"])).toBe("overview");
    expect(showing(stepAfterChange(5, "overview", ["overview"], before), before)).toBe("overview");
  });
});
