import { describe, expect, it } from "vitest";
import type { Scene } from "../contract/index.js";
import { PlaylistFeed } from "./playlist.js";

const scene = (id: string): Scene => ({
  id,
  name: id,
  duration: 20000,
  enabled: true,
  order: 1,
  content: "",
  created_at: "2025-11-10T15:00:00Z",
  updated_at: "2025-11-10T15:00:00Z",
});

/** A feed whose reads the test answers one by one, with what is "stored" when each read started. */
function harness() {
  let stored: Scene[] = [scene("a")];
  const pending: { snapshot: Scene[]; resolve: (s: Scene[]) => void; reject: (e: Error) => void }[] = [];
  const published: string[][] = [];
  const errors: unknown[] = [];
  const feed = new PlaylistFeed({
    read: () =>
      new Promise<Scene[]>((resolve, reject) => pending.push({ snapshot: stored, resolve, reject })),
    publish: (scenes) => published.push(scenes.map((s) => s.id)),
    onError: (e) => errors.push(e),
  });
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return {
    feed,
    pending,
    published,
    errors,
    settle,
    store: (ids: string[]) => {
      stored = ids.map(scene);
    },
  };
}

describe("PlaylistFeed", () => {
  it("a change stored while a read is in flight is read again after it: the last list is the newest", async () => {
    const h = harness();
    h.store(["a", "b"]);
    h.feed.changed();
    // A second change is stored and announced before the first read answers (with what it saw).
    h.store(["b"]);
    h.feed.changed();
    h.feed.changed();
    expect(h.pending).toHaveLength(1);
    h.pending[0]?.resolve(h.pending[0].snapshot);
    await h.settle();
    expect(h.pending).toHaveLength(2);
    h.pending[1]?.resolve(h.pending[1].snapshot);
    await h.settle();
    expect(h.published).toEqual([["a", "b"], ["b"]]);
    expect(h.pending).toHaveLength(2);
  });

  it("a failed read is reported and the next change reads again", async () => {
    const h = harness();
    h.feed.changed();
    h.pending[0]?.reject(new Error("the ingest thread is restarting"));
    await h.settle();
    expect(h.errors).toHaveLength(1);
    expect(h.published).toEqual([]);
    h.feed.changed();
    h.pending[1]?.resolve([scene("c")]);
    await h.settle();
    expect(h.published).toEqual([["c"]]);
  });

  it("publishes nothing once stopped", async () => {
    const h = harness();
    h.feed.changed();
    h.feed.stop();
    h.pending[0]?.resolve([scene("a")]);
    await h.settle();
    h.feed.changed();
    expect(h.published).toEqual([]);
    expect(h.pending).toHaveLength(1);
  });
});
