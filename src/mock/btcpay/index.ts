/**
 * A BTCPay Server-like Greenfield API for tests and the demo. `startBtcpayMock({ port: 0 })` serves it on
 * 127.0.0.1; `new BtcpayMock()` gives the same without a socket, for a server that mounts its `handle`.
 * Written from BTCPay's behaviour on its own: it imports nothing from the dashboard's server.
 */
import { listenMock } from "../listen.js";
import { BtcpayMock, type BtcpayMockOptions } from "./mock.js";

export type { SeenRequest, StoreFault } from "./handler.js";
export {
  BtcpayMock,
  type BtcpayMockOptions,
  DEFAULT_PERMISSIONS,
  type StoreSpec,
  type StoreTruth,
} from "./mock.js";
export type { Delivery, DeliveryTarget, InvoiceEventType, WebhookEvent } from "./webhooks.js";
export { signature } from "./webhooks.js";
export type { CartItemSpec, InvoiceSpec, MockInvoice, TruthSale } from "./world.js";

/** The mock's library calls (addStore, addInvoice, settle, markInvalid, setFault, groundTruth, …) and its socket. */
export interface RunningBtcpayMock extends BtcpayMock {
  /** e.g. "http://127.0.0.1:41234", no trailing slash: a merchant's base_url. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startBtcpayMock(
  opts: BtcpayMockOptions & { host?: string; port?: number } = {},
): Promise<RunningBtcpayMock> {
  const mock = new BtcpayMock(opts);
  const listening = await listenMock(mock.handle, '{"code":"not-found","message":"Not found"}', opts);
  return Object.assign(mock, {
    url: listening.url,
    port: listening.port,
    stop() {
      mock.close();
      return listening.close();
    },
  });
}
