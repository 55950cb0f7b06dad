/**
 * Four small business datasets for the data-tools example, generated from a seeded PRNG so
 * every run (and every test) sees exactly the same rows. The numbers follow plausible
 * patterns (a Q4 sales peak, regional differences, traffic growing through the year,
 * salaries by seniority) so that questions about them have interesting answers.
 */

/** A column's type as `list_datasets` reports it. Dates are `YYYY-MM-DD` strings. */
export type ColumnType = "str" | "int" | "float" | "date" | "bool";

export interface ColumnInfo {
  name: string;
  type: ColumnType;
  description: string;
}

export type Row = Record<string, string | number | boolean>;

export interface Dataset {
  name: string;
  description: string;
  columns: readonly ColumnInfo[];
  rows: readonly Row[];
}

/** The seed the example's datasets are built from. */
export const DEFAULT_SEED = 2024;

/** mulberry32: a tiny, fast, seedable PRNG returning floats in [0, 1). */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Random {
  next(): number;
  int(min: number, max: number): number;
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

function random(seed: number): Random {
  const next = createRng(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

const pad2 = (n: number) => String(n).padStart(2, "0");

/** `YYYY-MM-DD` for a day of 2024 counted from 0 (2024-01-01) to 365 (2024-12-31). */
function dayOf2024(dayIndex: number): string {
  const d = new Date(Date.UTC(2024, 0, 1 + dayIndex));
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

// ---------------------------------------------------------------------------------------
// sales_2024

const REGIONS = ["North", "South", "East", "West"] as const;
const REGION_WEIGHT: Record<(typeof REGIONS)[number], number> = {
  North: 0.95,
  South: 0.85,
  East: 1.1,
  West: 1.2,
};

const PRODUCTS = [
  { product: "Laptop Pro 14", category: "Electronics", price: 1299, units: [1, 12] },
  { product: "4K Monitor", category: "Electronics", price: 379, units: [2, 20] },
  { product: "Wireless Headphones", category: "Electronics", price: 149, units: [3, 35] },
  { product: "Ergonomic Chair", category: "Furniture", price: 329, units: [1, 15] },
  { product: "Standing Desk", category: "Furniture", price: 549, units: [1, 10] },
  { product: "Bookshelf", category: "Furniture", price: 129, units: [1, 18] },
  { product: "Printer Paper (case)", category: "Office Supplies", price: 42.5, units: [5, 80] },
  { product: "Gel Pens (12-pack)", category: "Office Supplies", price: 11.99, units: [10, 120] },
  { product: "Desk Organizer", category: "Office Supplies", price: 24.95, units: [3, 40] },
] as const;

/** Seasonality by month (index 0 = January): slow start, summer dip, strong Q4. */
const MONTH_FACTOR = [0.85, 0.8, 0.95, 1.0, 1.0, 0.95, 0.9, 1.05, 1.1, 1.05, 1.3, 1.45];

function buildSales(rng: Random): Row[] {
  const rows: Row[] = [];
  // About 1.3 orders a day, in date order.
  for (let day = 0; day < 366; day++) {
    const orders = rng.chance(0.3) ? 2 : 1;
    for (let o = 0; o < orders; o++) {
      const date = dayOf2024(day);
      const month = Number(date.slice(5, 7)) - 1;
      const region = rng.pick(REGIONS);
      const item = rng.pick(PRODUCTS);
      const [lo, hi] = item.units;
      const scale = MONTH_FACTOR[month]! * REGION_WEIGHT[region];
      const units = Math.max(1, Math.round(rng.int(lo, hi) * scale));
      // Discounts of up to 12%, deeper in November and December.
      const maxDiscount = month >= 10 ? 0.12 : 0.06;
      const unitPrice = round(item.price * (1 - rng.between(0, maxDiscount)), 2);
      rows.push({
        date,
        region,
        product: item.product,
        category: item.category,
        units,
        unit_price: unitPrice,
        revenue: round(units * unitPrice, 2),
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------
// employees

// biome-ignore format: a word list reads best packed
const FIRST_NAMES = [
  "Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Priya", "Lucas", "Chloe", "Mateo",
  "Hana", "Owen", "Isla", "Diego", "Nora", "Samir", "Grace", "Kai", "Elena", "Jonah",
  "Amara", "Felix", "Leah", "Arjun", "Sofia", "Marcus", "Yuki", "Theo", "Ines", "Caleb",
];
// biome-ignore format: a word list reads best packed
const LAST_NAMES = [
  "Nguyen", "Smith", "Patel", "Garcia", "Kim", "Johnson", "Okafor", "Müller", "Rossi",
  "Chen", "Williams", "Silva", "Cohen", "Brown", "Tanaka", "Lopez", "Novak", "Davis",
  "Ali", "Martin", "Haddad", "Clark", "Ivanova", "Lewis", "Singh",
];

const DEPARTMENTS = [
  {
    department: "Engineering",
    count: 70,
    remote: 0.55,
    titles: [
      ["Software Engineer I", 105_000],
      ["Software Engineer II", 128_000],
      ["Senior Software Engineer", 158_000],
      ["Staff Engineer", 192_000],
      ["Engineering Manager", 185_000],
    ],
  },
  {
    department: "Sales",
    count: 45,
    remote: 0.3,
    titles: [
      ["Sales Development Rep", 62_000],
      ["Account Executive", 88_000],
      ["Senior Account Executive", 112_000],
      ["Sales Manager", 135_000],
    ],
  },
  {
    department: "Marketing",
    count: 28,
    remote: 0.4,
    titles: [
      ["Marketing Coordinator", 60_000],
      ["Content Strategist", 78_000],
      ["Product Marketing Manager", 118_000],
      ["Director of Marketing", 165_000],
    ],
  },
  {
    department: "Finance",
    count: 20,
    remote: 0.2,
    titles: [
      ["Financial Analyst", 82_000],
      ["Senior Accountant", 95_000],
      ["Finance Manager", 128_000],
      ["Controller", 162_000],
    ],
  },
  {
    department: "HR",
    count: 15,
    remote: 0.25,
    titles: [
      ["HR Generalist", 66_000],
      ["Recruiter", 74_000],
      ["HR Business Partner", 102_000],
      ["Head of People", 150_000],
    ],
  },
  {
    department: "Operations",
    count: 27,
    remote: 0.15,
    titles: [
      ["Operations Associate", 55_000],
      ["Logistics Coordinator", 63_000],
      ["Operations Analyst", 79_000],
      ["Operations Manager", 112_000],
    ],
  },
  {
    department: "Customer Support",
    count: 35,
    remote: 0.5,
    titles: [
      ["Support Specialist", 50_000],
      ["Senior Support Specialist", 61_000],
      ["Support Team Lead", 76_000],
      ["Support Manager", 98_000],
    ],
  },
] as const;

const LOCATIONS = [
  { location: "San Francisco", pay: 1.18 },
  { location: "New York", pay: 1.15 },
  { location: "Austin", pay: 1.0 },
  { location: "Chicago", pay: 1.02 },
  { location: "Denver", pay: 0.98 },
  { location: "Toronto", pay: 0.92 },
  { location: "London", pay: 1.05 },
] as const;

function buildEmployees(rng: Random): Row[] {
  const rows: Row[] = [];
  const usedNames = new Set<string>();
  let id = 1001;
  for (const dept of DEPARTMENTS) {
    for (let i = 0; i < dept.count; i++) {
      let name: string;
      do {
        name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
      } while (usedNames.has(name));
      usedNames.add(name);
      // Juniors are the most common; the last title is the rarest.
      const r = rng.next();
      const level = Math.min(dept.titles.length - 1, Math.floor(r * r * dept.titles.length));
      const [title, base] = dept.titles[level]!;
      const place = rng.pick(LOCATIONS);
      const hireYear = rng.int(2014, 2024);
      const hireMonth = hireYear === 2024 ? rng.int(1, 11) : rng.int(1, 12);
      const tenure = 2024 - hireYear;
      const salary =
        Math.round((base * place.pay * (1 + tenure * 0.012) * rng.between(0.92, 1.08)) / 500) * 500;
      rows.push({
        id: 0,
        name,
        department: dept.department,
        title,
        hire_date: isoDate(hireYear, hireMonth, rng.int(1, 28)),
        salary,
        location: place.location,
        remote: rng.chance(dept.remote),
      });
    }
  }
  // Ids follow hire date, as an HR system would assign them.
  const hired = (row: Row) => String(row.hire_date);
  rows.sort((a, b) => (hired(a) < hired(b) ? -1 : hired(a) > hired(b) ? 1 : 0));
  for (const row of rows) row.id = id++;
  return rows;
}

// ---------------------------------------------------------------------------------------
// website_traffic

const PAGES = [
  { page: "/", visits: 9000, bounce: 0.42, session: 95 },
  { page: "/pricing", visits: 3200, bounce: 0.35, session: 140 },
  { page: "/blog", visits: 5200, bounce: 0.63, session: 185 },
  { page: "/docs", visits: 4100, bounce: 0.28, session: 310 },
  { page: "/signup", visits: 1500, bounce: 0.22, session: 75 },
] as const;

const SOURCES = [
  { source: "organic", share: 0.38, bounce: 1.0 },
  { source: "direct", share: 0.22, bounce: 0.85 },
  { source: "referral", share: 0.11, bounce: 0.9 },
  { source: "social", share: 0.12, bounce: 1.3 },
  { source: "email", share: 0.07, bounce: 0.75 },
  { source: "paid", share: 0.1, bounce: 1.15 },
] as const;

function buildTraffic(rng: Random): Row[] {
  const rows: Row[] = [];
  for (let month = 1; month <= 12; month++) {
    // Steady growth through the year, with a product launch bump in September.
    const growth = 1 + (month - 1) * 0.035 + (month === 9 ? 0.25 : 0);
    for (const p of PAGES) {
      for (const s of SOURCES) {
        const visits = Math.round(p.visits * s.share * growth * rng.between(0.85, 1.15));
        const bounce = Math.min(0.92, p.bounce * s.bounce * rng.between(0.9, 1.1));
        rows.push({
          date: isoDate(2024, month, 1),
          page: p.page,
          source: s.source,
          visits,
          unique_visitors: Math.round(visits * rng.between(0.68, 0.9)),
          bounce_rate: round(bounce, 3),
          avg_session_seconds: Math.round((p.session * rng.between(0.8, 1.2)) / s.bounce),
        });
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------
// inventory

const CATALOG: Record<string, readonly (readonly [string, number])[]> = {
  Electronics: [
    ["Laptop Pro 14", 880],
    ["4K Monitor", 215],
    ["Wireless Headphones", 72],
    ["USB-C Dock", 58],
    ["Webcam HD", 34],
    ["Mechanical Keyboard", 46],
    ["Wireless Mouse", 12.5],
    ["Portable SSD 1TB", 61],
    ["Noise-Cancelling Earbuds", 54],
    ["Conference Speakerphone", 96],
    ["Label Printer", 68],
    ["HDMI Cable 2m", 4.2],
  ],
  Furniture: [
    ["Ergonomic Chair", 164],
    ["Standing Desk", 298],
    ["Bookshelf", 63],
    ["Filing Cabinet", 88],
    ["Monitor Arm", 39],
    ["Desk Lamp", 17.75],
    ["Conference Table", 410],
    ["Guest Chair", 71],
    ["Under-Desk Drawer", 49],
  ],
  "Office Supplies": [
    ["Printer Paper (case)", 24.1],
    ["Gel Pens (12-pack)", 5.4],
    ["Desk Organizer", 11.2],
    ["Sticky Notes (24-pack)", 9.85],
    ["Stapler", 6.3],
    ["Whiteboard Markers (8-pack)", 7.9],
    ["Binder Clips (box)", 3.1],
    ["Legal Pads (12-pack)", 13.4],
    ["Toner Cartridge", 58],
    ["Shipping Boxes (25)", 19.5],
  ],
  Breakroom: [
    ["Coffee Beans 2lb", 14.6],
    ["Paper Cups (1000)", 38],
    ["Water Filter Cartridge", 21.5],
    ["Snack Box", 26],
    ["Paper Towels (case)", 31],
    ["Dish Soap (gallon)", 9.6],
  ],
};

const WAREHOUSES = [
  "Reno",
  "Dallas",
  "Columbus",
  "Atlanta",
  "Newark",
  "Phoenix",
  "Seattle",
] as const;

function buildInventory(rng: Random): Row[] {
  const rows: Row[] = [];
  let skuNumber = 10001;
  for (const [category, products] of Object.entries(CATALOG)) {
    for (const [product, cost] of products) {
      const sku = `SKU-${skuNumber++}`;
      // Cheaper items are stocked deeper.
      const depth = cost > 200 ? 60 : cost > 50 ? 180 : 600;
      for (const warehouse of WAREHOUSES) {
        if (rng.chance(0.12)) continue; // not every warehouse carries every product
        const reorder = Math.max(5, Math.round(depth * rng.between(0.15, 0.3)));
        // About one in six rows is at or below its reorder level.
        const quantity = rng.chance(0.17)
          ? rng.int(0, reorder)
          : rng.int(reorder + 1, Math.round(depth * 1.6));
        const day = rng.int(180, 365);
        rows.push({
          sku,
          product,
          category,
          warehouse,
          quantity,
          reorder_level: reorder,
          unit_cost: round(cost * rng.between(0.97, 1.03), 2),
          last_restocked: dayOf2024(day),
        });
      }
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------

const col = (name: string, type: ColumnType, description: string): ColumnInfo => ({
  name,
  type,
  description,
});

function freezeDataset(dataset: Dataset): Dataset {
  for (const row of dataset.rows) Object.freeze(row);
  Object.freeze(dataset.rows);
  for (const c of dataset.columns) Object.freeze(c);
  Object.freeze(dataset.columns);
  return Object.freeze(dataset);
}

/** Builds all four datasets from `seed`; the same seed always gives the same rows. */
export function buildDatasets(seed: number = DEFAULT_SEED): Readonly<Record<string, Dataset>> {
  // One stream per dataset, so changing one generator does not reshuffle the others.
  const datasets: Dataset[] = [
    {
      name: "sales_2024",
      description:
        "Sales orders for 2024, one row per order line, in date order. Four regions, nine " +
        "products in three categories.",
      columns: [
        col("date", "date", "Order date, YYYY-MM-DD."),
        col("region", "str", "Sales region: North, South, East or West."),
        col("product", "str", "Product name."),
        col("category", "str", "Electronics, Furniture or Office Supplies."),
        col("units", "int", "Units sold."),
        col("unit_price", "float", "Price per unit after discount, USD."),
        col("revenue", "float", "units * unit_price, USD."),
      ],
      rows: buildSales(random(seed)),
    },
    {
      name: "employees",
      description: "Company employee directory with department, title, salary and location.",
      columns: [
        col("id", "int", "Employee id (assigned in hire order)."),
        col("name", "str", "Full name."),
        col("department", "str", "Department."),
        col("title", "str", "Job title."),
        col("hire_date", "date", "Hire date, YYYY-MM-DD."),
        col("salary", "int", "Annual base salary, USD."),
        col("location", "str", "Office city."),
        col("remote", "bool", "True when the employee works remotely."),
      ],
      rows: buildEmployees(random(seed + 1)),
    },
    {
      name: "website_traffic",
      description:
        "Monthly website traffic for 2024, one row per month, page and traffic source. " +
        "`date` is the first day of the month.",
      columns: [
        col("date", "date", "First day of the month, YYYY-MM-DD."),
        col("page", "str", "Page path."),
        col("source", "str", "Traffic source."),
        col("visits", "int", "Visits (sessions) in the month."),
        col("unique_visitors", "int", "Distinct visitors in the month."),
        col("bounce_rate", "float", "Share of single-page sessions, 0 to 1."),
        col("avg_session_seconds", "int", "Average session length in seconds."),
      ],
      rows: buildTraffic(random(seed + 2)),
    },
    {
      name: "inventory",
      description:
        "Current stock per product and warehouse. A row needs reordering when quantity <= " +
        "reorder_level.",
      columns: [
        col("sku", "str", "Stock-keeping unit; the same product has the same SKU everywhere."),
        col("product", "str", "Product name."),
        col("category", "str", "Product category."),
        col("warehouse", "str", "Warehouse city."),
        col("quantity", "int", "Units on hand."),
        col("reorder_level", "int", "Reorder when quantity falls to this level or below."),
        col("unit_cost", "float", "Cost per unit, USD."),
        col("last_restocked", "date", "Date of the last delivery, YYYY-MM-DD."),
      ],
      rows: buildInventory(random(seed + 3)),
    },
  ];
  return Object.freeze(Object.fromEntries(datasets.map((d) => [d.name, freezeDataset(d)])));
}

/** The example's datasets, built once from `DEFAULT_SEED`. */
export const DATASETS: Readonly<Record<string, Dataset>> = buildDatasets();
