import { request } from "node:http";

export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A minimal SSE reader over a real socket, recording every event and comment as it arrives. */
export interface SseClient {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  events: SseEvent[];
  ended: Promise<void>;
  close(): void;
  pause(): void;
}

export function openStream(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: "text/event-stream", ...headers } }, (res) => {
      const events: SseEvent[] = [];
      let buffer = "";
      let endResolve: () => void = () => {};
      const ended = new Promise<void>((r) => {
        endResolve = r;
      });
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const ev: SseEvent = {};
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) ev.comment = line.slice(1).trim();
            else {
              const i = line.indexOf(":");
              const key = line.slice(0, i) as keyof SseEvent;
              const value = line.slice(i + 1).replace(/^ /, "");
              if (key === "data") ev.data = ev.data === undefined ? value : `${ev.data}\n${value}`;
              else if (key === "id" || key === "event") ev[key] = value;
            }
          }
          events.push(ev);
          cut = buffer.indexOf("\n\n");
        }
      });
      res.on("end", endResolve);
      res.on("close", endResolve);
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        ended,
        close: () => req.destroy(),
        pause: () => res.socket.pause(),
      });
    });
    req.on("error", reject);
    req.end();
  });
}

export async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}
