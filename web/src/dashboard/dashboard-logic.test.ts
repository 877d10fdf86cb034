import { describe, expect, it } from "vitest";
import { formatCompact } from "../format/number";
import { easeOutCubic, tweenAt } from "../motion/tween";
import { chartGeometry, niceAxis, perMinute, seriesStats } from "./chart";
import {
  DEFAULT_SETTINGS,
  parseRotate,
  parseSettings,
  sceneAt,
  settingsToSearch,
  stepForScene,
} from "./settings";

describe("parseSettings", () => {
  it("uses defaults for an empty query", () => {
    expect(parseSettings("")).toEqual(DEFAULT_SETTINGS);
  });

  it("reads the venue parameters from the URL", () => {
    const s = parseSettings("?rotate=30s&window=90m&event=Adopting%20Bitcoin&kiosk=1&board=1h&metric=volume");
    expect(s.rotateMs).toBe(30_000);
    expect(s.window).toBe("90m");
    expect(s.event).toBe("Adopting Bitcoin");
    expect(s.kiosk).toBe(true);
    expect(s.board).toBe("1h");
    expect(s.metric).toBe("volume");
    expect(s.mode).toBe("venue");
  });

  it("reads attendee mode and a pinned first scene", () => {
    const s = parseSettings("?mode=attendee&scene=trends&kiosk=0");
    expect(s.mode).toBe("attendee");
    expect(s.scene).toBe("trends");
    expect(s.kiosk).toBe(false);
  });

  it("ignores invalid values", () => {
    const s = parseSettings("?rotate=fast&window=forever&board=2d&metric=likes&scene=nope&event=%20");
    expect(s).toEqual(DEFAULT_SETTINGS);
    expect(parseSettings("?window=30s").window).toBe("60m"); // below a minute
    expect(parseSettings("?window=999h").window).toBe("60m"); // above 30 days
  });

  it("reads the theme; none or an unknown one leaves it to the event's setting (null)", () => {
    expect(parseSettings("?theme=light").theme).toBe("light");
    expect(parseSettings("?theme=CONTRAST").theme).toBe("contrast");
    expect(parseSettings("?theme=neon").theme).toBeNull();
    expect(parseSettings("").theme).toBeNull();
    expect(settingsToSearch({ ...DEFAULT_SETTINGS, theme: "contrast" })).toBe("?theme=contrast");
    expect(parseSettings(settingsToSearch({ ...DEFAULT_SETTINGS, theme: "light" })).theme).toBe("light");
  });

  it("round-trips through the query string, listing only changes", () => {
    const s = { ...DEFAULT_SETTINGS, rotateMs: 60_000, event: "Adopting Bitcoin", board: "5m" as const };
    const search = settingsToSearch(s);
    expect(search).toBe("?rotate=1m&board=5m&event=Adopting%20Bitcoin");
    expect(parseSettings(search)).toEqual(s);
    expect(settingsToSearch(DEFAULT_SETTINGS)).toBe("");
    expect(parseSettings(settingsToSearch({ ...DEFAULT_SETTINGS, rotateMs: null })).rotateMs).toBeNull();
  });
});

describe("parseRotate", () => {
  it("accepts durations and plain seconds, with a floor", () => {
    expect(parseRotate("20s")).toBe(20_000);
    expect(parseRotate("1m")).toBe(60_000);
    expect(parseRotate("15")).toBe(15_000);
    expect(parseRotate("1s")).toBe(5_000);
  });
  it("turns rotation off or rejects garbage", () => {
    expect(parseRotate("off")).toBeNull();
    expect(parseRotate("0")).toBeNull();
    expect(parseRotate("soon")).toBeUndefined();
    expect(parseRotate(null)).toBeUndefined();
  });
});

describe("scene rotation", () => {
  it("cycles through the scenes, alternating the leaderboard metric per cycle", () => {
    const steps = Array.from({ length: 9 }, (_, i) => sceneAt(i, "overview", "auto"));
    expect(steps.map((s) => s.scene)).toEqual([
      "overview",
      "merchants",
      "products",
      "trends",
      "overview",
      "merchants",
      "products",
      "trends",
      "overview",
    ]);
    expect(steps[1]?.metric).toBe("transactions");
    expect(steps[5]?.metric).toBe("volume");
    expect(steps[8]?.metric).toBe("transactions");
  });

  it("starts from the configured scene and honours a fixed metric", () => {
    expect(sceneAt(0, "trends", "volume")).toEqual({ scene: "trends", metric: "volume" });
    expect(sceneAt(1, "trends", "volume")).toEqual({ scene: "overview", metric: "volume" });
  });

  it("finds the step that shows a chosen scene", () => {
    expect(stepForScene(0, "overview", "products")).toBe(2);
    expect(stepForScene(3, "overview", "merchants")).toBe(5);
    expect(sceneAt(stepForScene(6, "overview", "overview"), "overview", "auto").scene).toBe("overview");
  });
});

describe("chart geometry", () => {
  it("converts finished buckets to per-minute rates", () => {
    const ts = {
      window_seconds: 90,
      bucket_seconds: 30,
      buckets: [
        { start: "2025-11-10T14:00:00Z", transactions: 2, volume_sats: 1000 },
        { start: "2025-11-10T14:00:30Z", transactions: 0, volume_sats: 0 },
        { start: "2025-11-10T14:01:00Z", transactions: 1, volume_sats: 50 },
      ],
    };
    expect(perMinute(ts, "transactions").map((p) => p.v)).toEqual([4, 0]);
    expect(perMinute(ts, "volume_sats")[0]).toEqual({ t: Date.parse("2025-11-10T14:00:00Z"), v: 2000 });
    expect(perMinute(null, "transactions")).toEqual([]);
  });

  it("leaves out the server's last bucket, the unfinished one holding its now", () => {
    // 81 sales a minute, and 6 so far in the minute under way: plotted whole, it read "now 6.0".
    const ts = {
      window_seconds: 180,
      bucket_seconds: 60,
      buckets: [
        { start: "2025-11-10T14:00:00Z", transactions: 81, volume_sats: 81_000 },
        { start: "2025-11-10T14:01:00Z", transactions: 81, volume_sats: 81_000 },
        { start: "2025-11-10T14:02:00Z", transactions: 6, volume_sats: 6_000 },
      ],
    };
    const points = perMinute(ts, "transactions");
    expect(points.map((p) => p.v)).toEqual([81, 81]);
    expect(points.at(-1)?.t).toBe(Date.parse("2025-11-10T14:01:00Z"));
    expect(seriesStats(points).latest).toBe(81);
    expect(perMinute({ ...ts, buckets: ts.buckets.slice(0, 1) }, "transactions")).toEqual([]);
  });

  it("steps the value axis by 1, 2 or 5 × 10^k, so every label is a round number", () => {
    expect(niceAxis(100)).toEqual({ max: 100, ticks: [0, 20, 40, 60, 80, 100] });
    expect(niceAxis(7).ticks).toEqual([0, 2, 4, 6, 8]);
    expect(niceAxis(1.8).ticks).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(niceAxis(0.3).ticks).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceAxis(4100).ticks).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(niceAxis(0)).toEqual({ max: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    // A 2.5M maximum cut in four read 625K and 1.88M.
    expect(niceAxis(2_300_000).ticks.map(formatCompact)).toEqual(["0", "500K", "1M", "1.5M", "2M", "2.5M"]);
    expect(niceAxis(1_700_000).ticks.map(formatCompact)).toEqual(["0", "500K", "1M", "1.5M", "2M"]);
    expect(niceAxis(560_000).ticks.map(formatCompact)).toEqual(["0", "200K", "400K", "600K"]);
    expect(niceAxis(2_400_000, 6).ticks.map(formatCompact)).toEqual([
      "0",
      "500K",
      "1M",
      "1.5M",
      "2M",
      "2.5M",
    ]);
    expect(niceAxis(1_150_000).ticks.map(formatCompact)).toEqual(["0", "500K", "1M", "1.5M"]);
    for (const max of [3, 17, 999, 1234, 625_000, 1_875_000, 9_999_999]) {
      const { ticks } = niceAxis(max);
      expect(ticks.at(-1)).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      expect(ticks.length).toBeLessThanOrEqual(9);
      const step = (ticks[1] ?? 0) / 10 ** Math.floor(Math.log10(ticks[1] ?? 1));
      expect([1, 2, 5]).toContain(Math.round(step * 1e9) / 1e9);
    }
  });

  it("maps values into the box, zero at the bottom", () => {
    const g = chartGeometry([0, 5, 10], 200, 100);
    expect(g.max).toBe(10);
    expect(g.points).toEqual([
      { x: 0, y: 100 },
      { x: 100, y: 50 },
      { x: 200, y: 0 },
    ]);
    expect(g.line).toBe("M0,100 L100,50 L200,0");
    expect(g.area).toBe("M0,100 L100,50 L200,0 L200,100 L0,100 Z");
  });

  it("handles empty and flat series", () => {
    expect(chartGeometry([], 100, 50).line).toBe("");
    const flat = chartGeometry([0, 0], 100, 50);
    expect(flat.points.every((p) => p.y === 50)).toBe(true);
  });

  it("summarises a series", () => {
    expect(
      seriesStats([
        { t: 0, v: 1 },
        { t: 1, v: 5 },
        { t: 2, v: 3 },
      ]),
    ).toEqual({ peak: 5, average: 3, latest: 3 });
    expect(seriesStats([])).toEqual({ peak: 0, average: 0, latest: 0 });
  });
});

describe("tweening", () => {
  it("eases out and clamps", () => {
    expect(easeOutCubic(0)).toBe(0);
    expect(easeOutCubic(1)).toBe(1);
    expect(easeOutCubic(2)).toBe(1);
    expect(easeOutCubic(0.5)).toBeCloseTo(0.875);
    expect(tweenAt(100, 200, 0.5)).toBeCloseTo(187.5);
    expect(tweenAt(100, 200, 1)).toBe(200);
  });
});
