import { describe, expect, it } from "vitest";
import type { EventSettings } from "../api/types";
import { eventToForm, eventUpdateBody, logoFileProblem, validateEvent } from "./event-logic";

const stored: EventSettings = {
  name: "Adopting Bitcoin",
  accent_color: "#f7931a",
  time_zone: null,
  display_currency: "sats",
  doors_opened_at: null,
  celebration_seconds: 9,
  sound: false,
  public_url: null,
  theme: "dark",
  has_logo: false,
  logo_url: null,
  updated_at: "2025-11-10T15:00:00Z",
};

describe("the Event panel's form", () => {
  it("round-trips the stored settings; empty fields clear", () => {
    const form = eventToForm(stored);
    expect(validateEvent(form)).toEqual({});
    expect(eventUpdateBody(form)).toEqual({
      name: "Adopting Bitcoin",
      accent_color: "#f7931a",
      time_zone: null,
      display_currency: "sats",
      doors_opened_at: null,
      celebration_seconds: 9,
      sound: false,
      public_url: null,
      theme: "dark",
    });
    const doors = eventToForm({ ...stored, doors_opened_at: "2025-11-10T09:00:00Z" });
    expect(eventUpdateBody(doors).doors_opened_at).toBe("2025-11-10T09:00:00.000Z");
  });

  it("names each mistake as the server would refuse it", () => {
    const errors = validateEvent({
      ...eventToForm(stored),
      name: " ",
      accent_color: "orange",
      time_zone: "Mars/Base",
      celebration_seconds: "2",
      public_url: "javascript:alert(1)",
    });
    expect(Object.keys(errors).sort()).toEqual(
      ["accent_color", "celebration_seconds", "name", "public_url", "time_zone"].sort(),
    );
    expect(validateEvent({ ...eventToForm(stored), name: "x".repeat(81) }).name).toMatch(/80 characters/);
  });

  it("a logo must be PNG, JPEG or WebP and at most 512 KB", () => {
    expect(logoFileProblem({ type: "image/png", size: 512 * 1024 })).toBeNull();
    expect(logoFileProblem({ type: "image/svg+xml", size: 10 })).toMatch(/SVG/);
    expect(logoFileProblem({ type: "image/gif", size: 10 })).toMatch(/PNG, JPEG or WebP/);
    expect(logoFileProblem({ type: "image/webp", size: 512 * 1024 + 1 })).toMatch(/513 KB/);
  });
});
