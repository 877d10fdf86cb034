/**
 * One Server-Sent Events frame. Data is JSON, whose serialisation never contains a raw newline, and
 * event names are our own constants, so no field can break the framing.
 */
export function sseFrame(id: string, event: string, data: unknown): string {
  const json = JSON.stringify(data);
  if (/[\r\n]/.test(event) || /[\r\n]/.test(json)) throw new Error("SSE field contains a newline");
  return `id: ${id}\nevent: ${event}\ndata: ${json}\n\n`;
}

/**
 * The heartbeat: a named event, not a comment, because a browser's EventSource hides comments from
 * the page, and a screen can only tell a frozen server from a quiet one by what it receives. It says
 * how often it comes; it has no id, so it never moves a client's Last-Event-ID.
 */
export function heartbeatFrame(intervalMs: number): string {
  return `event: ping\ndata: ${JSON.stringify({ interval_ms: intervalMs })}\n\n`;
}
