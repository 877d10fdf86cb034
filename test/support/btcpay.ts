/** A mock BTCPay Server with one store, and the settings and poll input a client needs for it. */
import type { BtcpaySettings } from "../../src/contract/index.js";
import { type RunningBtcpayMock, startBtcpayMock } from "../../src/mock/btcpay/index.js";
import type { SourceHint, SourcePollInput } from "../../src/sources/source-client.js";

/** 2025-11-10T13:20:00Z, the facts file's example instant. */
export const T0 = 1762780800;

export interface BtcpayFixture {
  mock: RunningBtcpayMock;
  clock: { nowS: number };
  storeId: string;
  apiKey: string;
  settings: BtcpaySettings;
}

export async function startBtcpayFixture(
  opts: { name?: string; inlinePaymentMethods?: boolean; permissions?: string[] } = {},
): Promise<BtcpayFixture> {
  const clock = { nowS: T0 };
  const mock = await startBtcpayMock({ now: () => clock.nowS * 1000 });
  const { id, apiKey } = mock.addStore({
    id: "7Hn2cQx9",
    name: opts.name ?? "Taco Stand",
    ...(opts.inlinePaymentMethods === undefined ? {} : { inlinePaymentMethods: opts.inlinePaymentMethods }),
    ...(opts.permissions ? { permissions: opts.permissions } : {}),
  });
  return {
    mock,
    clock,
    storeId: id,
    apiKey,
    settings: { base_url: mock.url, store_id: id, api_key: apiKey },
  };
}

export function pollInput(
  settings: BtcpaySettings,
  state: unknown = null,
  hints: SourceHint[] = [],
): SourcePollInput<BtcpaySettings> {
  return { merchantId: "m1", settings, state, hints, signal: new AbortController().signal, now: Date.now() };
}
