/** The demo catalog's vocabulary: categories with their nouns and option pools, words, vendors and customers. */
export interface OptionPool {
  name: string;
  values: readonly string[];
  /** Ordered pools (sizes, capacities) offer a run of neighbouring values; unordered ones (colours) any few. */
  ordered?: boolean;
  /** A step up an ordered pool costs this fraction of the base price more. */
  priceStep?: number;
}
export interface LeafSpec {
  name: string;
  nouns: readonly string[];
  materials: readonly string[];
  options: readonly OptionPool[];
  /** Base price range in whole currency units. */
  price: readonly [number, number];
  features: readonly string[];
  weight?: number;
}
export interface TopSpec {
  name: string;
  /** Indexes into VENDORS: who sells in this department. */
  vendors: readonly number[];
  groups: readonly { name: string; leaves: readonly LeafSpec[] }[];
}

const COLOUR: OptionPool = {
  name: 'colour',
  values: [
    'Black',
    'White',
    'Navy',
    'Grey',
    'Olive',
    'Burgundy',
    'Sand',
    'Charcoal',
    'Rust',
    'Cream',
    'Sky Blue',
    'Forest Green',
  ],
};
const SIZE: OptionPool = { name: 'size', values: ['XS', 'S', 'M', 'L', 'XL', 'XXL'], ordered: true };
const WAIST: OptionPool = { name: 'waist', values: ['28', '30', '32', '34', '36', '38'], ordered: true };
const SHOE_SIZE: OptionPool = {
  name: 'size',
  values: ['37', '38', '39', '40', '41', '42', '43', '44', '45'],
  ordered: true,
};
const FINISH: OptionPool = { name: 'finish', values: ['Oak', 'Walnut', 'Ash', 'Black', 'White'] };
const APPAREL = [
  'Cotton',
  'Organic Cotton',
  'Linen',
  'Denim',
  'Merino Wool',
  'Flannel',
  'Corduroy',
  'Jersey',
  'Chambray',
];
const WOODS = ['Oak', 'Walnut', 'Ash', 'Beech', 'Bamboo', 'Pine', 'Teak'];

export const CATALOG: readonly TopSpec[] = [
  {
    name: 'Clothing',
    vendors: [0, 4, 6],
    groups: [
      {
        name: 'Men',
        leaves: [
          {
            name: 'Shirts',
            nouns: ['Shirt', 'Oxford Shirt', 'Henley', 'Polo', 'Overshirt'],
            materials: APPAREL,
            options: [SIZE, COLOUR],
            price: [19, 89],
            features: ['cut for a relaxed fit', 'finished with a button-down collar', 'garment-washed for softness'],
            weight: 2,
          },
          {
            name: 'Trousers',
            nouns: ['Chinos', 'Jeans', 'Trousers', 'Joggers', 'Cargo Pants'],
            materials: ['Cotton', 'Denim', 'Stretch Twill', 'Corduroy', 'Linen'],
            options: [WAIST, COLOUR],
            price: [29, 119],
            features: ['with a tapered leg', 'with reinforced pockets', 'cut with a little stretch'],
            weight: 2,
          },
          {
            name: 'Jackets',
            nouns: ['Jacket', 'Parka', 'Bomber', 'Blazer', 'Coat'],
            materials: ['Waxed Cotton', 'Wool', 'Nylon', 'Denim', 'Leather', 'Tweed'],
            options: [SIZE, COLOUR],
            price: [59, 349],
            features: ['lined for cold mornings', 'with a water-repellent finish', 'with a detachable hood'],
          },
        ],
      },
      {
        name: 'Women',
        leaves: [
          {
            name: 'Dresses',
            nouns: ['Dress', 'Wrap Dress', 'Midi Dress', 'Shirt Dress', 'Slip Dress'],
            materials: ['Linen', 'Silk', 'Cotton', 'Viscose', 'Jersey'],
            options: [SIZE, COLOUR],
            price: [35, 189],
            features: ['with a flattering wrap waist', 'lined to the knee', 'with hidden side pockets'],
            weight: 2,
          },
          {
            name: 'Tops',
            nouns: ['Blouse', 'Tee', 'Tank Top', 'Camisole', 'Tunic'],
            materials: ['Cotton', 'Silk', 'Linen', 'Jersey', 'Modal'],
            options: [SIZE, COLOUR],
            price: [15, 79],
            features: ['with a relaxed drape', 'finished with French seams', 'soft enough to sleep in'],
            weight: 2,
          },
          {
            name: 'Knitwear',
            nouns: ['Sweater', 'Cardigan', 'Turtleneck', 'Vest'],
            materials: ['Merino Wool', 'Cashmere', 'Alpaca', 'Cotton', 'Lambswool'],
            options: [SIZE, COLOUR],
            price: [45, 229],
            features: ['knitted in a chunky rib', 'with a fine gauge knit', 'that keeps its shape wash after wash'],
          },
        ],
      },
      {
        name: 'Shoes',
        leaves: [
          {
            name: 'Sneakers',
            nouns: ['Sneakers', 'Trainers', 'Runners', 'High Tops'],
            materials: ['Canvas', 'Leather', 'Suede', 'Recycled Mesh'],
            options: [SHOE_SIZE, COLOUR],
            price: [39, 159],
            features: ['on a cushioned rubber sole', 'with a padded collar', 'with a removable insole'],
            weight: 2,
          },
          {
            name: 'Boots',
            nouns: ['Boots', 'Chelsea Boots', 'Hiking Boots', 'Work Boots'],
            materials: ['Leather', 'Suede', 'Nubuck', 'Waxed Leather'],
            options: [SHOE_SIZE, COLOUR],
            price: [79, 299],
            features: ['on a Goodyear-welted sole', 'with a waterproof membrane', 'with a grippy lug sole'],
          },
          {
            name: 'Sandals',
            nouns: ['Sandals', 'Slides', 'Espadrilles', 'Clogs'],
            materials: ['Leather', 'Cork', 'Jute', 'Rubber'],
            options: [SHOE_SIZE, COLOUR],
            price: [19, 119],
            features: ['on a contoured footbed', 'with adjustable straps', 'light enough to pack anywhere'],
          },
        ],
      },
    ],
  },
  {
    name: 'Home & Kitchen',
    vendors: [1, 5, 7],
    groups: [
      {
        name: 'Kitchen',
        leaves: [
          {
            name: 'Cookware',
            nouns: ['Frying Pan', 'Saucepan', 'Dutch Oven', 'Wok', 'Skillet'],
            materials: ['Cast Iron', 'Stainless Steel', 'Carbon Steel', 'Copper', 'Enamelled Steel'],
            options: [
              { name: 'diameter', values: ['20 cm', '24 cm', '28 cm', '32 cm'], ordered: true, priceStep: 0.15 },
            ],
            price: [25, 249],
            features: [
              'that works on every hob, induction included',
              'with a stay-cool handle',
              'seasoned and ready to cook',
            ],
            weight: 2,
          },
          {
            name: 'Knives',
            nouns: ['Chef Knife', 'Paring Knife', 'Bread Knife', 'Santoku', 'Knife Block'],
            materials: ['Damascus Steel', 'Stainless Steel', 'High-Carbon Steel', 'Ceramic'],
            options: [{ name: 'blade', values: ['12 cm', '15 cm', '20 cm', '25 cm'], ordered: true, priceStep: 0.12 }],
            price: [19, 249],
            features: ['honed to a razor edge', 'with a full-tang handle', 'balanced for long prep sessions'],
          },
          {
            name: 'Tableware',
            nouns: ['Dinner Plate', 'Bowl', 'Mug', 'Serving Platter', 'Tumbler'],
            materials: ['Stoneware', 'Porcelain', 'Glass', 'Earthenware', 'Bone China'],
            options: [
              { name: 'set', values: ['Single', 'Set of 2', 'Set of 4', 'Set of 6'], ordered: true, priceStep: 0.6 },
              COLOUR,
            ],
            price: [8, 69],
            features: ['glazed by hand', 'safe in the dishwasher and microwave', 'stackable to save space'],
            weight: 2,
          },
        ],
      },
      {
        name: 'Furniture',
        leaves: [
          {
            name: 'Chairs',
            nouns: ['Chair', 'Armchair', 'Stool', 'Bench', 'Rocking Chair'],
            materials: WOODS,
            options: [FINISH],
            price: [59, 599],
            features: [
              'with a curved backrest',
              'joined without a single screw',
              'with felt pads that spare the floor',
            ],
          },
          {
            name: 'Tables',
            nouns: ['Dining Table', 'Coffee Table', 'Side Table', 'Desk', 'Console Table'],
            materials: WOODS,
            options: [
              FINISH,
              { name: 'length', values: ['120 cm', '160 cm', '200 cm'], ordered: true, priceStep: 0.25 },
            ],
            price: [89, 1299],
            features: ['with tapered legs', 'finished with a hard-wearing oil', 'that seats six comfortably'],
          },
          {
            name: 'Shelving',
            nouns: ['Bookcase', 'Wall Shelf', 'Ladder Shelf', 'Cabinet'],
            materials: [...WOODS, 'Powder-Coated Steel'],
            options: [FINISH],
            price: [39, 699],
            features: ['with adjustable shelves', 'that fixes to the wall in minutes', 'deep enough for large books'],
          },
        ],
      },
      {
        name: 'Decor',
        leaves: [
          {
            name: 'Lamps',
            nouns: ['Table Lamp', 'Floor Lamp', 'Pendant Light', 'Desk Lamp'],
            materials: ['Brass', 'Ceramic', 'Rattan', 'Linen', 'Glass'],
            options: [COLOUR],
            price: [29, 399],
            features: ['with a warm dimmable glow', 'with a braided fabric cable', 'that takes any E27 bulb'],
          },
          {
            name: 'Rugs',
            nouns: ['Rug', 'Runner', 'Kilim', 'Doormat'],
            materials: ['Wool', 'Jute', 'Cotton', 'Recycled Polyester', 'Sisal'],
            options: [
              {
                name: 'size',
                values: ['80x150 cm', '120x170 cm', '160x230 cm', '200x300 cm'],
                ordered: true,
                priceStep: 0.5,
              },
              COLOUR,
            ],
            price: [25, 499],
            features: ['woven by hand', 'with a non-slip backing', 'soft underfoot and easy to vacuum'],
          },
          {
            name: 'Cushions',
            nouns: ['Cushion', 'Throw Pillow', 'Floor Cushion', 'Throw'],
            materials: ['Linen', 'Velvet', 'Wool', 'Cotton', 'Boucle'],
            options: [
              { name: 'size', values: ['40x40 cm', '50x50 cm', '60x60 cm'], ordered: true, priceStep: 0.15 },
              COLOUR,
            ],
            price: [15, 119],
            features: ['with a feather-filled insert', 'with a hidden zip', 'that washes at 30 degrees'],
          },
        ],
      },
    ],
  },
  {
    name: 'Electronics',
    vendors: [2, 6],
    groups: [
      {
        name: 'Audio',
        leaves: [
          {
            name: 'Headphones',
            nouns: ['Headphones', 'Earbuds', 'Earphones', 'Headset'],
            materials: ['Aluminium', 'Matte Plastic', 'Walnut', 'Leather'],
            options: [COLOUR],
            price: [19, 399],
            features: ['with active noise cancelling', 'with 30 hours of battery', 'tuned for a warm, detailed sound'],
            weight: 2,
          },
          {
            name: 'Speakers',
            nouns: ['Speaker', 'Soundbar', 'Bookshelf Speakers', 'Radio'],
            materials: ['Aluminium', 'Walnut', 'Fabric', 'Recycled Plastic'],
            options: [COLOUR],
            price: [29, 599],
            features: [
              'that fills a room without distortion',
              'with Bluetooth and Wi-Fi',
              'splash-proof for the kitchen',
            ],
          },
        ],
      },
      {
        name: 'Computer Accessories',
        leaves: [
          {
            name: 'Keyboards',
            nouns: ['Keyboard', 'Mechanical Keyboard', 'Keypad'],
            materials: ['Aluminium', 'Plastic', 'Wood'],
            options: [
              { name: 'layout', values: ['US', 'UK', 'DE', 'Nordic'] },
              { name: 'switch', values: ['Linear', 'Tactile', 'Clicky'] },
            ],
            price: [29, 249],
            features: [
              'with hot-swappable switches',
              'with a quiet, low-profile typing feel',
              'that pairs with three devices',
            ],
          },
          {
            name: 'Mice',
            nouns: ['Mouse', 'Trackball', 'Trackpad'],
            materials: ['Plastic', 'Aluminium', 'Recycled Plastic'],
            options: [COLOUR],
            price: [15, 149],
            features: ['shaped for all-day comfort', 'with a silent click', 'that charges over USB-C'],
          },
        ],
      },
      {
        name: 'Phone Accessories',
        leaves: [
          {
            name: 'Phone Cases',
            nouns: ['Phone Case', 'Wallet Case', 'Bumper'],
            materials: ['Silicone', 'Leather', 'Recycled Plastic', 'Aramid Fibre'],
            options: [
              { name: 'model', values: ['iPhone 16', 'iPhone 15', 'Pixel 9', 'Galaxy S25', 'Galaxy S24'] },
              COLOUR,
            ],
            price: [9, 69],
            features: [
              'with raised edges that protect the screen',
              'that works with wireless charging',
              'slim enough for any pocket',
            ],
            weight: 2,
          },
          {
            name: 'Chargers',
            nouns: ['Charger', 'Power Bank', 'Charging Stand', 'Cable'],
            materials: ['Gallium Nitride', 'Aluminium', 'Braided Nylon', 'Plastic'],
            options: [{ name: 'power', values: ['20 W', '30 W', '65 W', '100 W'], ordered: true, priceStep: 0.25 }],
            price: [9, 129],
            features: ['that charges a laptop and a phone at once', 'with a folding plug', 'with overheat protection'],
          },
        ],
      },
    ],
  },
  {
    name: 'Sports & Outdoors',
    vendors: [3, 0, 7],
    groups: [
      {
        name: 'Camping',
        leaves: [
          {
            name: 'Tents',
            nouns: ['Tent', 'Tarp', 'Bivvy', 'Shelter'],
            materials: ['Ripstop Nylon', 'Polyester', 'Canvas', 'Dyneema'],
            options: [
              {
                name: 'capacity',
                values: ['1-person', '2-person', '3-person', '4-person'],
                ordered: true,
                priceStep: 0.3,
              },
            ],
            price: [49, 699],
            features: ['that pitches in five minutes', 'with taped seams', 'light enough for a long trek'],
          },
          {
            name: 'Backpacks',
            nouns: ['Backpack', 'Daypack', 'Rucksack', 'Duffel'],
            materials: ['Ripstop Nylon', 'Waxed Canvas', 'Recycled Polyester', 'Cordura'],
            options: [
              { name: 'volume', values: ['20 L', '30 L', '45 L', '60 L'], ordered: true, priceStep: 0.2 },
              COLOUR,
            ],
            price: [29, 299],
            features: [
              'with a padded laptop sleeve',
              'with a ventilated back panel',
              'with a rain cover tucked in the base',
            ],
            weight: 2,
          },
        ],
      },
      {
        name: 'Fitness',
        leaves: [
          {
            name: 'Yoga Mats',
            nouns: ['Yoga Mat', 'Exercise Mat', 'Yoga Block', 'Yoga Strap'],
            materials: ['Natural Rubber', 'Cork', 'TPE', 'Jute'],
            options: [{ name: 'thickness', values: ['4 mm', '6 mm', '8 mm'], ordered: true, priceStep: 0.15 }, COLOUR],
            price: [15, 129],
            features: ['with a grippy, non-slip surface', 'that rolls up tight', 'cushioned for sensitive knees'],
          },
          {
            name: 'Dumbbells',
            nouns: ['Dumbbell', 'Kettlebell', 'Weight Plate'],
            materials: ['Cast Iron', 'Neoprene', 'Rubber', 'Chrome'],
            options: [
              {
                name: 'weight',
                values: ['2 kg', '4 kg', '6 kg', '8 kg', '10 kg', '12 kg'],
                ordered: true,
                priceStep: 0.35,
              },
            ],
            price: [12, 179],
            features: ['with a knurled grip', 'with a flat base that stays put', 'coated to spare your floor'],
          },
        ],
      },
    ],
  },
];

export const ADJECTIVES = [
  'Rustic',
  'Classic',
  'Modern',
  'Vintage',
  'Essential',
  'Everyday',
  'Heritage',
  'Urban',
  'Coastal',
  'Alpine',
  'Nordic',
  'Minimal',
  'Sleek',
  'Rugged',
  'Lightweight',
  'Premium',
  'Handcrafted',
  'Compact',
  'Cozy',
  'Bold',
  'Breezy',
  'Refined',
  'Timeless',
  'Sturdy',
  'Soft',
  'Elegant',
  'Practical',
  'Weekend',
  'Studio',
  'Signature',
];
export const TRAITS = [
  'built to last',
  'easy to care for',
  'made to be used every day',
  'as good looking as it is useful',
  'made in small batches',
];
export const CLOSINGS = [
  'Designed by {vendor} and backed by a two-year warranty.',
  'Part of our {adjective} collection.',
  'Ships in plastic-free packaging.',
  'A favourite for gifting.',
  'Pairs well with the rest of the range.',
  'Made with responsibly sourced materials.',
];
export const REJECTIONS = [
  'The photos do not show the product.',
  'The description makes claims we cannot verify.',
  'Please list every size you sell as its own variant.',
];
export const REVIEW_TITLES: Record<'good' | 'fair' | 'poor', readonly string[]> = {
  good: ['Love it', 'Exactly as described', 'Great value', 'Would buy again', 'Better than expected'],
  fair: ['Does the job', 'Decent for the price', 'Good, not great', 'Okay overall'],
  poor: ['Disappointed', 'Not as pictured', 'Fell apart quickly', 'Would not buy again'],
};
export const REVIEW_BODIES: Record<'good' | 'fair' | 'poor', readonly string[]> = {
  good: [
    'The {material} feels lovely and the {noun} arrived quickly.',
    'I have used it every day for a month and it still looks new.',
    'Solid {material}, well made, fair price.',
  ],
  fair: [
    'Fine overall, though the {material} is thinner than I hoped.',
    'Works as expected; delivery took a while.',
    'Nice {noun}, but the colour is a little off.',
  ],
  poor: [
    'The {material} started to wear after a few weeks.',
    'The {noun} did not match the description.',
    'Sent it back; the quality was not there.',
  ],
};

export const VENDORS = [
  { name: 'Northwind Outfitters', email: 'vendor.northwind@example.com', code: 'NW' },
  { name: 'Harbor & Pine Home', email: 'vendor.harborpine@example.com', code: 'HP' },
  { name: 'Voltline Electronics', email: 'vendor.voltline@example.com', code: 'VL' },
  { name: 'Summit Trail Co.', email: 'vendor.summittrail@example.com', code: 'ST' },
  { name: 'Atelier Lune', email: 'vendor.atelierlune@example.com', code: 'AL' },
  { name: 'Copper Kettle Kitchenware', email: 'vendor.copperkettle@example.com', code: 'CK' },
  { name: 'Brightside Goods', email: 'vendor.brightside@example.com', code: 'BG' },
  { name: 'Fieldstone Supply', email: 'vendor.fieldstone@example.com', code: 'FS' },
];
const FIRST_NAMES = ['Ada', 'Ben', 'Chloe', 'Dev', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Kemi', 'Luca'];
const LAST_NAMES = ['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Novak', 'Castillo'];
export const CUSTOMERS = Array.from({ length: 24 }, (_, index) => ({
  name: `${FIRST_NAMES[index % FIRST_NAMES.length]!} ${LAST_NAMES[index % LAST_NAMES.length]!}`,
  email: `customer${String(index + 1).padStart(2, '0')}@example.com`,
}));

// ------------------------------------------------------------------------------------------------ bulk SQL
