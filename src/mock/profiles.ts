/**
 * The 20 behaviour profiles of the upstream spec's table. Rates and price ranges are the table's;
 * the shares and basket shapes are our reading of each kind of shop.
 */
export type ShopKind =
  | "coffee"
  | "electronics"
  | "bistro"
  | "bar"
  | "bakery"
  | "books"
  | "tacos"
  | "clothing"
  | "hardware"
  | "icecream"
  | "juice"
  | "toys"
  | "pharmacy"
  | "pizza"
  | "flowers"
  | "bikes"
  | "gym"
  | "barber"
  | "pets"
  | "convenience";

export interface Profile {
  name: string;
  kind: ShopKind;
  /** Catalogue size. */
  products: number;
  /** Fiat (USD) unit price range of the catalogue. */
  priceMin: number;
  priceMax: number;
  salesPerMinute: number;
  /** Share of sales typed as a bare amount, with no product lines. */
  anonymousShare: number;
  /** Share of the catalogue currently on sale; inactive products are never sold. */
  activeShare: number;
  /** Share of product picks that go to the most popular fifth of the active catalogue. */
  popularShare: number;
  /** Most distinct products in one basket, and most units of one product per line. */
  maxLines: number;
  maxQuantity: number;
}

const p = (
  name: string,
  kind: ShopKind,
  products: number,
  priceMin: number,
  priceMax: number,
  salesPerMinute: number,
  anonymousShare: number,
  activeShare: number,
  popularShare: number,
  maxLines: number,
  maxQuantity: number,
): Profile => ({
  name,
  kind,
  products,
  priceMin,
  priceMax,
  salesPerMinute,
  anonymousShare,
  activeShare,
  popularShare,
  maxLines,
  maxQuantity,
});

export const PROFILES: readonly Profile[] = [
  p("Bitcoin Coffee", "coffee", 8, 1, 4, 2.0, 0.3, 0.9, 0.7, 3, 3),
  p("Bitcoin Electronics", "electronics", 5, 150, 900, 0.05, 0.2, 0.8, 0.5, 1, 1),
  p("Lightning Bistro", "bistro", 15, 5, 15, 0.8, 0.4, 0.85, 0.5, 4, 2),
  p("Satoshi's Bar", "bar", 12, 2.5, 6, 1.2, 0.5, 0.9, 0.6, 3, 4),
  p("Bread & Bitcoin", "bakery", 10, 1.5, 8, 0.6, 0.35, 0.9, 0.6, 4, 6),
  p("Bitcoin Books", "books", 20, 10, 25, 0.3, 0.2, 0.85, 0.4, 3, 1),
  p("Lightning Tacos", "tacos", 6, 3, 6, 1.5, 0.45, 1.0, 0.7, 3, 4),
  p("Bitcoin Threads", "clothing", 25, 25, 150, 0.15, 0.25, 0.8, 0.5, 2, 2),
  p("Bolt & Satoshi", "hardware", 30, 3, 60, 0.4, 0.4, 0.85, 0.35, 4, 5),
  p("Frozen Sats", "icecream", 8, 2.5, 5, 2.5, 0.5, 0.9, 0.75, 2, 3),
  p("Fresh Squeeze ₿", "juice", 10, 4, 7, 0.9, 0.45, 0.9, 0.6, 2, 2),
  p("PlayBTC", "toys", 35, 6, 45, 0.25, 0.3, 0.8, 0.4, 3, 2),
  p("HealthChain Pharmacy", "pharmacy", 40, 5, 30, 0.5, 0.55, 0.9, 0.3, 3, 2),
  p("Pizza Lightning", "pizza", 12, 8, 15, 1.0, 0.35, 0.9, 0.65, 3, 3),
  p("Bloom & Bitcoin", "flowers", 18, 10, 40, 0.2, 0.3, 0.75, 0.5, 2, 3),
  p("Two Wheels One Chain", "bikes", 15, 15, 600, 0.1, 0.2, 0.8, 0.4, 2, 1),
  p("Proof of Workout", "gym", 8, 30, 150, 0.3, 0.1, 0.75, 0.8, 1, 1),
  p("Trim the Chain", "barber", 6, 15, 30, 0.4, 0.6, 1.0, 0.7, 2, 1),
  p("Paws & Sats", "pets", 28, 5, 55, 0.35, 0.35, 0.85, 0.4, 3, 3),
  p("24/7 Satoshi", "convenience", 50, 0.6, 10, 3.0, 0.5, 0.9, 0.3, 5, 4),
];

export interface MerchantIdentity {
  index: number;
  id: string;
  publicKey: string;
  name: string;
  profile: Profile;
}

/** Merchant i cycles the profiles; repeats get " #2", " #3"… so names stay unique. */
export function merchantIdentity(index: number): MerchantIdentity {
  const profile = PROFILES[index % PROFILES.length] as Profile;
  const cycle = Math.floor(index / PROFILES.length);
  return {
    index,
    id: String(100 + index),
    publicKey: `mock_pubkey_${index}`,
    name: cycle === 0 ? profile.name : `${profile.name} #${cycle + 1}`,
    profile,
  };
}
