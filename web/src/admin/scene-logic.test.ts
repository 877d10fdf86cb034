import { describe, expect, it } from "vitest";
import type { Scene } from "../api/types";
import {
  byPlaylistOrder,
  emptySceneForm,
  sceneChanges,
  sceneCreateBody,
  sceneToForm,
  validateScene,
} from "./scene-logic";

const merch: Scene = {
  id: "merch",
  name: "Merch",
  duration: 20_000,
  enabled: false,
  order: 6,
  content: "",
  created_at: "2025-11-10T15:00:00Z",
  updated_at: "2025-11-10T15:00:00Z",
};

describe("scene form", () => {
  it("requires an id and a name; checks seconds, order and content", () => {
    expect(Object.keys(validateScene(emptySceneForm())).sort()).toEqual(["id", "name"]);
    const form = {
      ...emptySceneForm(),
      id: "a b",
      name: "X",
      duration: "0.5",
      order: "0",
      content: "c".repeat(2001),
    };
    expect(Object.keys(validateScene(form)).sort()).toEqual(["content", "duration", "id", "order"]);
    expect(validateScene({ ...form, id: "promo", duration: "3600", order: "", content: "ok" })).toEqual({});
    expect(
      validateScene({ ...form, id: "promo", duration: "3601", order: "1", content: "" }).duration,
    ).toMatch(/1 to 3600/);
  });

  it("creates with seconds as ms, and without an order when left blank (the server puts it last)", () => {
    const form = {
      ...emptySceneForm(),
      id: " promo ",
      name: " Promo ",
      duration: "7.5",
      content: "Cap\nHoodie",
    };
    expect(sceneCreateBody(form)).toEqual({
      id: "promo",
      name: "Promo",
      duration: 7_500,
      enabled: true,
      content: "Cap\nHoodie",
    });
    expect(sceneCreateBody({ ...form, order: "3" }).order).toBe(3);
  });

  it("edits send only what changed, content included (and cleared)", () => {
    const form = sceneToForm(merch);
    expect(form).toMatchObject({ duration: "20", order: "6" });
    expect(sceneChanges(merch, form)).toEqual({});
    expect(
      sceneChanges(merch, {
        ...form,
        name: "Shop",
        duration: "10",
        order: "2",
        enabled: true,
        content: "Cap",
      }),
    ).toEqual({ name: "Shop", duration: 10_000, order: 2, enabled: true, content: "Cap" });
    expect(sceneChanges({ ...merch, content: "Cap" }, { ...form, content: "" })).toEqual({ content: "" });
  });

  it("lists scenes in playlist order, ties by id", () => {
    const list = [
      { ...merch, id: "b", order: 2 },
      { ...merch, id: "c", order: 1 },
      { ...merch, id: "a", order: 2 },
    ];
    expect(list.sort(byPlaylistOrder).map((s) => s.id)).toEqual(["c", "a", "b"]);
  });
});
