// A QR code to the attendee page, drawn on the venue screen so people in the room open the live page on
// their phones. Encoded here by the `qrcode` library and drawn as SVG: no image service, no request.
import { create } from "qrcode";
import { useMemo } from "react";

/** Light modules around the symbol, as the QR standard asks, so scanners find its edges. */
const QUIET_ZONE = 4;

/** The attendee page on this server (routing: `/` with `mode=attendee`). */
export function defaultAttendeeUrl(origin: string = window.location.origin): string {
  return `${origin}/?mode=attendee`;
}

export interface QrSymbol {
  /** Modules per side, quiet zone included. */
  size: number;
  /** One SVG path for every dark module, row runs merged. */
  path: string;
  darkModules: number;
}

/** Pure: the symbol for `text` (error correction M: 15 % of it may be unreadable, e.g. a glare). */
export function qrSymbol(text: string): QrSymbol {
  const { modules } = create(text, { errorCorrectionLevel: "M" });
  const n = modules.size;
  const parts: string[] = [];
  let darkModules = 0;
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; ) {
      if (!modules.data[row * n + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < n && modules.data[row * n + col]) col++;
      darkModules += col - start;
      parts.push(`M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${col - start}v1h${start - col}z`);
    }
  }
  return { size: n + 2 * QUIET_ZONE, path: parts.join(""), darkModules };
}

/**
 * The code with its caption. Always dark modules on white whatever the theme: scanners expect that.
 * `attendeeUrl` is the page it opens (an event's public URL when the screen's own origin is not
 * reachable from phones).
 */
export function AttendeeQr({ attendeeUrl }: { attendeeUrl?: string | undefined }) {
  const url = attendeeUrl ?? defaultAttendeeUrl();
  const symbol = useMemo(() => qrSymbol(url), [url]);
  return (
    <figure className="attendee-qr" data-testid="attendee-qr" data-url={url}>
      <figcaption className="attendee-qr__caption">Scan for the live page</figcaption>
      <svg
        className="attendee-qr__code"
        viewBox={`0 0 ${symbol.size} ${symbol.size}`}
        shapeRendering="crispEdges"
        role="img"
        aria-label={`QR code: ${url}`}
        data-testid="attendee-qr-code"
        data-modules={symbol.size - 2 * QUIET_ZONE}
        data-dark-modules={symbol.darkModules}
      >
        <rect width={symbol.size} height={symbol.size} fill="#ffffff" />
        <path d={symbol.path} fill="#000000" />
      </svg>
    </figure>
  );
}
