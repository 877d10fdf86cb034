import { create } from "qrcode";
import { describe, expect, it } from "vitest";
import { defaultAttendeeUrl, qrSymbol } from "./AttendeeQr";

describe("attendee QR code", () => {
  it("points at the attendee page on the screen's own origin", () => {
    expect(defaultAttendeeUrl("https://live.example.org")).toBe("https://live.example.org/?mode=attendee");
  });

  it("draws every dark module of the symbol, inside a four-module quiet zone", () => {
    const url = "https://live.example.org/?mode=attendee";
    const { modules } = create(url, { errorCorrectionLevel: "M" });
    const symbol = qrSymbol(url);
    expect(symbol.size).toBe(modules.size + 8);
    expect(symbol.darkModules).toBe(modules.data.reduce((n, d) => n + (d ? 1 : 0), 0));
    // The top-left finder pattern's outer ring starts at the quiet zone's edge, seven modules wide.
    expect(symbol.path.startsWith("M4 4h7v1h-7z")).toBe(true);
    expect(qrSymbol("https://other.example/?mode=attendee").path).not.toBe(symbol.path);
  });
});
