// A booth screen follows one merchant: its stream is the venue's, filtered before the live client sees
// it. Other merchants' sales and merchant events are dropped; the `summary` event (everyone's totals)
// too, since the booth's totals come from /v1/summary?merchant_id=, refetched when its merchant sells.
import type { EventSourceCtor, EventSourceLike } from "./options";

function dataOf(event: MessageEvent): unknown {
  try {
    return typeof event.data === "string" && event.data ? JSON.parse(event.data) : null;
  } catch {
    return null;
  }
}

/** Whether a stream event concerns the booth of `merchantId`. */
export function concernsMerchant(type: string, event: MessageEvent, merchantId: string): boolean {
  if (type === "summary") return false;
  if (type === "sale") return (dataOf(event) as { merchant_id?: unknown } | null)?.merchant_id === merchantId;
  if (type === "merchant") return (dataOf(event) as { id?: unknown } | null)?.id === merchantId;
  return true;
}

/** An EventSource class whose events are filtered for one merchant; `onSale` hears each of its sales. */
export function merchantEventSource(
  Base: EventSourceCtor,
  merchantId: string,
  onSale: () => void,
): EventSourceCtor {
  return class MerchantEventSource implements EventSourceLike {
    private readonly inner: EventSourceLike;
    constructor(url: string) {
      this.inner = new Base(url);
    }
    get readyState(): number {
      return this.inner.readyState;
    }
    addEventListener(type: string, listener: (event: MessageEvent) => void): void {
      this.inner.addEventListener(type, (event) => {
        if (!concernsMerchant(type, event, merchantId)) return;
        listener(event);
        if (type === "sale") onSale();
      });
    }
    close(): void {
      this.inner.close();
    }
  };
}

/**
 * `refresh` now and once more `trailingMs` later: the server's read cache may answer the first request
 * from just before the sale (it refreshes within a second), the second one from after it.
 */
export function refreshTwice(refresh: () => void, trailingMs = 1200): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return () => {
    refresh();
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      refresh();
    }, trailingMs);
  };
}
