import type { ServerResponse } from "node:http";

/**
 * Just enough of a ServerResponse (HTTP/1.0, so unframed unless `chunkedEncoding` is set) and its
 * socket to see what the live stream writes, and when. Writes through the response and straight to
 * the socket both land in `writes`; `order`, when given, records the client's name at each write.
 */
export function fakeStreamClient(opts: { writableLength?: number; name?: string; order?: string[] } = {}) {
  const writes: string[] = [];
  const record = (chunk: string | Buffer) => {
    writes.push(chunk.toString());
    if (opts.name !== undefined) opts.order?.push(opts.name);
    return true;
  };
  const res = {
    writableLength: opts.writableLength ?? 0,
    chunkedEncoding: false,
    socket: { destroyed: false, setNoDelay: () => {}, setTimeout: () => {}, write: record },
    writeHead: () => res,
    write: record,
    on: () => res,
    end: () => {},
    destroy: () => {},
  };
  return { res: res as unknown as ServerResponse, writes, text: () => writes.join("") };
}
