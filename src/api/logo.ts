import { LOGO_TYPES, type LogoType } from "../contract/index.js";
import { HttpError } from "./errors.js";

const unsupported = (message: string) => new HttpError(415, message);

/** The image type its first bytes say, whatever its Content-Type claims; undefined for anything else. */
export function sniffLogoType(bytes: Uint8Array): LogoType | undefined {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  // RIFF, a 4-byte size, then WEBP.
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  return undefined;
}

/** Whether the bytes read as markup (an SVG, HTML): text whose first non-blank character is "<". */
function looksLikeMarkup(bytes: Uint8Array): boolean {
  const head = new TextDecoder("utf-8").decode(bytes.subarray(0, 256)).replace(/^\uFEFF/, "");
  return head.trimStart().startsWith("<");
}

const ACCEPTED_HEADERS = new Set<string>([...LOGO_TYPES, "application/octet-stream", ""]);

/**
 * The logo's type, from its bytes: PNG, JPEG or WebP, as the upload's Content-Type says (or a generic
 * one). An SVG is refused whatever it is labelled: it can carry script, and we serve it from our own
 * origin. A type that the bytes contradict is refused too rather than stored under either name.
 */
export function checkedLogoType(body: unknown, contentType: string | undefined): LogoType {
  const named = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const declared = named === "image/jpg" ? "image/jpeg" : named;
  if (declared.includes("svg")) {
    throw unsupported("SVG logos are not accepted (an SVG can carry script); upload a PNG, JPEG or WebP");
  }
  if (!(body instanceof Uint8Array)) {
    throw unsupported(`send the image file's bytes as image/png, image/jpeg or image/webp, not ${declared}`);
  }
  if (body.length === 0) {
    throw new HttpError(400, "request body is empty; send the image file's bytes");
  }
  const sniffed = sniffLogoType(body);
  if (!sniffed) {
    throw unsupported(
      looksLikeMarkup(body)
        ? "SVG or other markup is not accepted as a logo (it can carry script); upload a PNG, JPEG or WebP"
        : "the logo must be a PNG, JPEG or WebP image (its first bytes say it is none of them)",
    );
  }
  if (!ACCEPTED_HEADERS.has(declared)) {
    throw unsupported(
      `Content-Type ${declared} is not accepted for a logo; send image/png, image/jpeg or image/webp`,
    );
  }
  if (declared.startsWith("image/") && declared !== sniffed) {
    throw unsupported(`the upload says ${declared} but its bytes are ${sniffed}`);
  }
  return sniffed;
}
