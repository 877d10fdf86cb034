/**
 * Product catalogues: plausible names for each kind of shop, prices drawn inside the profile's
 * range, some products switched off, and a popularity ranking that makes a few items sell most.
 */
import type { Profile, ShopKind } from "./profiles.js";
import { logUniform, type Rng, shuffle } from "./random.js";

const NAMES: Record<ShopKind, readonly string[]> = {
  coffee: [
    "Espresso",
    "Double Espresso",
    "Americano",
    "Cappuccino",
    "Flat White",
    "Caffè Latte",
    "Cortado",
    "Mocha",
    "Cold Brew",
    "Chai Latte",
    "Butter Croissant",
    "Banana Bread",
  ],
  electronics: [
    "Hardware Wallet",
    "Lightning Node Box",
    "Noise-Cancelling Headphones",
    '27" 4K Monitor',
    "Mechanical Keyboard",
    "Home Miner",
    "10-inch Tablet",
  ],
  bistro: [
    "Steak Frites",
    "Croque Monsieur",
    "Niçoise Salad",
    "French Onion Soup",
    "Duck Confit",
    "Mushroom Risotto",
    "Moules Marinières",
    "Quiche Lorraine",
    "Ratatouille",
    "Coq au Vin",
    "Crème Brûlée",
    "Chocolate Fondant",
    "Tarte Tatin",
    "Glass of House Red",
    "Beef Bourguignon",
    "Goat Cheese Salad",
  ],
  bar: [
    "Lager Pint",
    "IPA Pint",
    "Stout Pint",
    "House Wine",
    "Gin & Tonic",
    "Mojito",
    "Old Fashioned",
    "Negroni",
    "Margarita",
    "Cider",
    "Whisky Sour",
    "Soda",
    "Nachos",
  ],
  bakery: [
    "Sourdough Loaf",
    "Baguette",
    "Butter Croissant",
    "Pain au Chocolat",
    "Cinnamon Roll",
    "Rye Bread",
    "Blueberry Muffin",
    "Apple Turnover",
    "Focaccia",
    "Brioche",
    "Bagel",
    "Cheese Danish",
  ],
  books: [
    "The Bitcoin Standard",
    "Mastering Bitcoin",
    "Mastering the Lightning Network",
    "Inventing Bitcoin",
    "The Blocksize War",
    "Digital Gold",
    "Programming Bitcoin",
    "Broken Money",
    "The Sovereign Individual",
    "Layered Money",
    "Check Your Financial Privilege",
    "The Price of Tomorrow",
    "Thank God for Bitcoin",
    "The Fiat Standard",
    "Grokking Bitcoin",
    "21 Lessons",
    "The Genesis Book",
    "Gradually, Then Suddenly",
    "Bitcoin Is Venice",
    "When Money Dies",
    "The Book of Satoshi",
  ],
  tacos: [
    "Al Pastor Taco",
    "Carne Asada Taco",
    "Carnitas Taco",
    "Fish Taco",
    "Veggie Taco",
    "Quesadilla",
    "Horchata",
    "Chips & Guac",
  ],
  clothing: ["Orange", "Black", "White", "HODL", "Stack Sats"].flatMap((style) =>
    ["T-Shirt", "Hoodie", "Cap", "Beanie", "Socks", "Jacket"].map((item) => `${style} ${item}`),
  ),
  hardware: [
    "Claw Hammer",
    "Screwdriver Set",
    "Cordless Drill",
    "Drill Bit Set",
    "Tape Measure",
    "Spirit Level",
    "Adjustable Wrench",
    "Pliers",
    "Utility Knife",
    "Wood Screws (100)",
    "Wall Anchors",
    "Duct Tape",
    "Lubricant Spray",
    "Paint Roller",
    "Paint Brush Set",
    "Interior Paint 1L",
    "Sandpaper Pack",
    "Extension Cord",
    "LED Bulb",
    "Work Gloves",
    "Safety Glasses",
    "Padlock",
    "Garden Hose",
    "Hand Saw",
    "Socket Set",
    "Zip Ties",
    "Super Glue",
    "Caulk Gun",
    "Stud Finder",
    "Step Ladder",
    "Allen Key Set",
    "Flashlight",
  ],
  icecream: [
    "Vanilla Scoop",
    "Chocolate Scoop",
    "Strawberry Scoop",
    "Pistachio Scoop",
    "Salted Caramel Scoop",
    "Mango Sorbet",
    "Waffle Cone",
    "Sundae",
    "Milkshake",
    "Affogato",
  ],
  juice: [
    "Orange Juice",
    "Green Detox",
    "Carrot Ginger",
    "Apple Beet",
    "Pineapple Mint",
    "Watermelon Cooler",
    "Berry Blast",
    "Açaí Bowl",
    "Wheatgrass Shot",
    "Mango Lassi",
    "Lemon Ginger Shot",
  ],
  toys: [
    "Building Blocks Set",
    "Plush Bear",
    "RC Car",
    "Puzzle 500pc",
    "Puzzle 1000pc",
    "Settlers Board Game",
    "Chess Set",
    "Kite",
    "Yo-Yo",
    "Rubik's Cube",
    "Doll House",
    "Toy Train Set",
    "Water Pistol",
    "Frisbee",
    "Jump Rope",
    "Modelling Clay Pack",
    "Crayon Set",
    "Dinosaur Figure",
    "Action Figure",
    "Card Game",
    "Marble Run",
    "Toy Drone",
    "Science Kit",
    "Magic Set",
    "Kaleidoscope",
    "Spinning Top",
    "Slime Kit",
    "Toy Kitchen",
    "Football",
    "Basketball",
    "Skateboard",
    "Scooter",
    "Bubble Wand",
    "Stacking Rings",
    "Jigsaw World Map",
    "Plush Bunny",
    "Tea Party Set",
  ],
  pharmacy: [
    "Ibuprofen 200mg",
    "Ibuprofen 400mg",
    "Paracetamol 500mg",
    "Aspirin 300mg",
    "Vitamin C 1000mg",
    "Vitamin D3",
    "Multivitamin",
    "Zinc Tablets",
    "Magnesium",
    "Omega-3",
    "Cough Syrup",
    "Throat Lozenges",
    "Nasal Spray",
    "Antihistamine",
    "Allergy Eye Drops",
    "Hand Sanitizer",
    "Face Masks (10)",
    "Bandages",
    "Gauze Pads",
    "Antiseptic Cream",
    "Sunscreen SPF50",
    "Lip Balm",
    "Moisturiser",
    "Toothpaste",
    "Toothbrush",
    "Dental Floss",
    "Mouthwash",
    "Shampoo",
    "Thermometer",
    "Heat Patch",
    "Cold Pack",
    "Electrolyte Sachets",
    "Probiotic",
    "Antacid",
    "Laxative",
    "Eye Drops",
    "Contact Lens Solution",
    "Insect Repellent",
    "Hydrocortisone Cream",
    "Melatonin",
    "Pregnancy Test",
    "Baby Wipes",
  ],
  pizza: [
    "Margherita",
    "Pepperoni",
    "Quattro Formaggi",
    "Hawaiian",
    "Diavola",
    "Capricciosa",
    "Funghi",
    "Marinara",
    "Vegetariana",
    "BBQ Chicken",
    "Calzone",
    "Garlic Bread",
    "Tiramisu",
  ],
  flowers: [
    "Red Roses (12)",
    "Tulip Bunch",
    "Sunflower Bunch",
    "Lily Bouquet",
    "Orchid Pot",
    "Peony Bunch",
    "Mixed Bouquet",
    "Carnations",
    "Daisy Bunch",
    "Lavender Bundle",
    "Succulent",
    "Bonsai",
    "Hydrangea",
    "Gerbera Bunch",
    "Wedding Bouquet",
    "Funeral Wreath",
    "Corsage",
    "Glass Vase",
    "Chrysanthemums",
    "Eucalyptus Bundle",
  ],
  bikes: [
    "Road Bike",
    "Mountain Bike",
    "City Bike",
    "E-Bike",
    "Kids Bike",
    "Helmet",
    "Bike Lock",
    "Front Light",
    "Rear Light",
    "Inner Tube",
    "Tyre",
    "Floor Pump",
    "Bottle Cage",
    "Saddle",
    "Chain",
    "Tune-Up Service",
    "Repair Kit",
  ],
  gym: [
    "Day Pass",
    "10-Visit Card",
    "Monthly Membership",
    "Quarterly Membership",
    "Personal Training Session",
    "Yoga Class Pack",
    "Spin Class Pack",
    "Annual Membership",
    "Climbing Wall Pass",
  ],
  barber: [
    "Haircut",
    "Beard Trim",
    "Haircut & Beard",
    "Hot Towel Shave",
    "Kids Cut",
    "Buzz Cut",
    "Wash & Style",
  ],
  pets: [
    "Dry Dog Food 2kg",
    "Dry Cat Food 2kg",
    "Wet Cat Food 12pk",
    "Dog Treats",
    "Cat Treats",
    "Chew Toy",
    "Cat Scratcher",
    "Dog Leash",
    "Dog Collar",
    "Cat Litter 10L",
    "Litter Tray",
    "Pet Bed",
    "Food Bowl",
    "Water Fountain",
    "Flea Treatment",
    "Dog Shampoo",
    "Grooming Brush",
    "Fish Food",
    "Aquarium Filter",
    "Bird Seed",
    "Hamster Bedding",
    "Hamster Wheel",
    "Poop Bags",
    "Cat Carrier",
    "Dog Harness",
    "Rope Toy",
    "Catnip",
    "Dental Chews",
    "Pet Sweater",
  ],
  convenience: [
    "Bottled Water",
    "Cola",
    "Energy Drink",
    "Iced Tea",
    "Coffee To Go",
    "Orange Juice",
    "Milk 1L",
    "Bread Loaf",
    "Eggs (6)",
    "Butter",
    "Cheese Slices",
    "Ham Sandwich",
    "Chicken Wrap",
    "Instant Noodles",
    "Potato Chips",
    "Tortilla Chips",
    "Chocolate Bar",
    "Gummy Bears",
    "Chewing Gum",
    "Mints",
    "Granola Bar",
    "Banana",
    "Apple",
    "Yogurt",
    "Ice Cream Cone",
    "Frozen Pizza",
    "Canned Soup",
    "Pasta 500g",
    "Rice 1kg",
    "Cereal",
    "Peanut Butter",
    "Toilet Paper 4pk",
    "Paper Towels",
    "Dish Soap",
    "Laundry Detergent",
    "Batteries AA",
    "Phone Charger",
    "Lighter",
    "Matches",
    "Umbrella",
    "Sunglasses",
    "Newspaper",
    "Magazine",
    "Postcard",
    "Deodorant",
    "Razor",
    "Painkillers",
    "Plasters",
    "Bag of Ice",
    "Firewood Bundle",
    "Hot Dog",
  ],
};

export interface Product {
  /** Position in the merchant's catalogue (what compact sale lines store). */
  index: number;
  id: number;
  name: string;
  priceCents: number;
  active: boolean;
  /** Cumulative, over every sale line ever generated, including sales a reset hid. */
  totalTransactions: number;
  totalUnitsSold: number;
  totalRevenueSats: number;
  totalRevenueCents: number;
}

export interface Catalogue {
  products: Product[];
  /** Indexes of active products, most popular first. */
  active: number[];
  /** Cumulative pick weights over `active`, ending at 1. */
  cumulative: Float64Array;
}

export function namesFor(kind: ShopKind): readonly string[] {
  return NAMES[kind];
}

/** Rounds to prices a shop would print: 5¢ steps below $10, 50¢ below $100, then $x4.99/$x9.99. */
export function nicePriceCents(dollars: number, min: number, max: number): number {
  let cents: number;
  if (dollars < 10) cents = Math.round(dollars * 20) * 5;
  else if (dollars < 100) cents = Math.round(dollars * 2) * 50;
  else cents = Math.round(dollars / 5) * 500 - 1;
  return Math.min(Math.floor(max * 100), Math.max(Math.ceil(min * 100), cents));
}

export function buildCatalogue(rng: Rng, profile: Profile, firstProductId: number): Catalogue {
  const pool = shuffle(rng, [...NAMES[profile.kind]]);
  const count = Math.min(profile.products, pool.length);
  const products: Product[] = [];
  for (let i = 0; i < count; i++) {
    products.push({
      index: i,
      id: firstProductId + i,
      name: pool[i] as string,
      priceCents: nicePriceCents(
        logUniform(rng, profile.priceMin, profile.priceMax),
        profile.priceMin,
        profile.priceMax,
      ),
      active: true,
      totalTransactions: 0,
      totalUnitsSold: 0,
      totalRevenueSats: 0,
      totalRevenueCents: 0,
    });
  }
  const activeCount = Math.max(1, Math.round(count * profile.activeShare));
  const order = shuffle(
    rng,
    products.map((_, i) => i),
  );
  for (const i of order.slice(activeCount)) (products[i] as Product).active = false;
  const active = order.slice(0, activeCount);
  return { products, active, cumulative: popularityWeights(active.length, profile.popularShare) };
}

/** The top fifth (at least one) shares `popularShare` of picks; the rest share what is left. */
export function popularityWeights(n: number, popularShare: number): Float64Array {
  const top = Math.max(1, Math.round(n * 0.2));
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += top === n ? 1 / n : i < top ? popularShare / top : (1 - popularShare) / (n - top);
    cumulative[i] = sum;
  }
  if (n > 0) cumulative[n - 1] = 1;
  return cumulative;
}

/** Index into `cumulative` for a uniform draw (binary search; catalogues are small but picks are many). */
export function pickWeighted(cumulative: Float64Array, u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u < (cumulative[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
