/**
 * One Server-Sent Events frame. Data is JSON, whose serialisation never contains a raw newline, and
 * event names are our own constants, so no field can break the framing.
 */
export function sseFrame(id: number, event: string, data: unknown): string {
  const json = JSON.stringify(data);
  if (/[\r\n]/.test(event) || /[\r\n]/.test(json)) throw new Error("SSE field contains a newline");
  return `id: ${id}\nevent: ${event}\ndata: ${json}\n\n`;
}

export const HEARTBEAT_FRAME = ": heartbeat\n\n";
