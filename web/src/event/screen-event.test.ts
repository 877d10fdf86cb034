import { afterEach, describe, expect, it } from "vitest";
import type { EventSettings } from "../api/types";
import { formatClock, formatDoors, setDisplayTimeZone } from "../format/time";
import { DEFAULT_EVENT, parseEventOverrides, screenEvent } from "./screen-event";

const server: EventSettings = {
  name: "Adopting Bitcoin",
  accent_color: "#00a3ff",
  time_zone: "Asia/Tokyo",
  display_currency: "btc",
  doors_opened_at: "2025-11-10T01:00:00Z",
  celebration_seconds: 5,
  sound: true,
  public_url: "https://example.org/?mode=attendee",
  theme: "light",
  has_logo: true,
  logo_url: "/v1/event/logo?v=0123456789abcdef",
  updated_at: "2025-11-10T00:00:00Z",
};

afterEach(() => setDisplayTimeZone(undefined));

describe("the event a screen shows", () => {
  it("is the server's settings, with the defaults before they are read", () => {
    expect(screenEvent(null, {})).toEqual(DEFAULT_EVENT);
    expect(screenEvent(server, {})).toEqual({
      name: "Adopting Bitcoin",
      logoUrl: "/v1/event/logo?v=0123456789abcdef",
      accentColor: "#00a3ff",
      timeZone: "Asia/Tokyo",
      currency: "btc",
      doorsOpenedAt: "2025-11-10T01:00:00Z",
      celebrationMs: 5000,
      sound: true,
      publicUrl: "https://example.org/?mode=attendee",
      theme: "light",
    });
  });

  it("URL parameters override it for this screen; invalid ones are ignored", () => {
    const o = parseEventOverrides(
      "?event=Booth%20A&tz=europe/zurich&currency=fiat&accent=FF0000&celebrate=4",
    );
    expect(o).toEqual({
      name: "Booth A",
      timeZone: "Europe/Zurich",
      currency: "fiat",
      accentColor: "#ff0000",
      celebrationMs: 4000,
    });
    expect(screenEvent(server, o)).toMatchObject({
      name: "Booth A",
      timeZone: "Europe/Zurich",
      theme: "light",
    });
    expect(parseEventOverrides("?tz=Mars/Base&currency=eur&accent=red&celebrate=1")).toEqual({});
  });
});

describe("times in the event's time zone", () => {
  it("the clock and the doors label follow the display time zone", () => {
    setDisplayTimeZone("Asia/Tokyo");
    expect(formatClock("2025-11-10T01:00:00Z")).toBe("10:00");
    expect(formatClock("2025-11-10T01:02:03Z", true)).toBe("10:02:03");
    expect(formatDoors("2025-11-10T01:00:00Z", Date.parse("2025-11-10T05:00:00Z"))).toBe("10:00");
    expect(formatDoors("2025-11-09T01:00:00Z", Date.parse("2025-11-10T05:00:00Z"))).toBe("9 Nov 10:00");
    setDisplayTimeZone("America/New_York");
    expect(formatClock("2025-11-10T01:00:00Z")).toBe("20:00");
  });
});
