/**
 * Word lists for the demo generator: publishers and platforms with their billing-entity
 * name variants, currencies, placements and CPM ranges; advertisers; campaign themes.
 * Everything here is plain data; the generator picks from it with the seeded PRNG.
 * A few names deliberately contain commas, quotes or accents so CSV quoting and UTF-8
 * are exercised.
 */

export type CurrencyCode = 'USD' | 'EUR' | 'GBP' | 'CAD';

export const DEMO_CURRENCIES: readonly CurrencyCode[] = ['USD', 'EUR', 'GBP', 'CAD'];

/**
 * How the vendor dates its invoices: a day of the month (1-28), or 0 for the last day
 * of the month. Vendors bill monthly, so a buy is billed on one of the vendor's billing
 * dates that falls 0-45 days after its flight end.
 */
export type BillingDay = number;

export interface VendorSpec {
  /** Canonical buy-side name, as it appears in buys.csv. */
  readonly name: string;
  /** Billing-entity names as they appear on invoices (the "Vendor Name" column). */
  readonly billingNames: readonly string[];
  /** Relative share of buy lines placed with this vendor. */
  readonly weight: number;
  /** Currencies the vendor's buys are in, with relative weights. */
  readonly currencies: readonly (readonly [CurrencyCode, number])[];
  readonly placements: readonly string[];
  /** CPM range in minor units (cents). */
  readonly cpm: readonly [number, number];
  readonly billingDay: BillingDay;
}

const SOCIAL: [number, number] = [400, 1500];
const SEARCH: [number, number] = [1500, 6000];
const DISPLAY: [number, number] = [200, 1200];
const PREMIUM: [number, number] = [1500, 4500];
const CTV: [number, number] = [2500, 5500];
const AUDIO: [number, number] = [1200, 3000];
const VIDEO: [number, number] = [1000, 3000];

const USD_ONLY: [CurrencyCode, number][] = [['USD', 1]];
const USD_CAD: [CurrencyCode, number][] = [['USD', 90], ['CAD', 10]];

export const VENDORS: readonly VendorSpec[] = [
  {
    name: 'Meta',
    billingNames: ['META PLATFORMS INC', 'Meta Platforms Ireland Ltd', 'Facebook Ads', 'Meta Platforms, Inc.'],
    weight: 14,
    currencies: [['USD', 85], ['EUR', 10], ['GBP', 5]],
    placements: [
      'Instagram Feed - 1080x1080',
      'Instagram Stories - 1080x1920',
      'Instagram Reels - 9:16 Video',
      'Facebook Feed - 1200x628',
      'Facebook Marketplace - 1080x1080',
      'Audience Network - Native',
    ],
    cpm: SOCIAL,
    billingDay: 0,
  },
  {
    name: 'Google Ads',
    billingNames: ['Google LLC', 'GOOGLE ADS', 'Google Ireland Limited', 'Google Inc.'],
    weight: 12,
    currencies: [['USD', 85], ['EUR', 8], ['GBP', 4], ['CAD', 3]],
    placements: [
      'Search - Brand Keywords',
      'Search - Non-Brand Keywords',
      'Performance Max',
      'Display Network - 300x250',
      'Demand Gen - Native',
      'Shopping - Product Listing Ads',
    ],
    cpm: SEARCH,
    billingDay: 1,
  },
  {
    name: 'YouTube',
    billingNames: ['YouTube LLC', 'YOUTUBE ADS', 'Google LLC - YouTube'],
    weight: 6,
    currencies: [['USD', 90], ['EUR', 5], ['GBP', 5]],
    placements: ['YouTube In-Stream - 15s Skippable', 'YouTube Bumper - 6s', 'YouTube Shorts - 9:16', 'YouTube Masthead - Desktop'],
    cpm: VIDEO,
    billingDay: 1,
  },
  {
    name: 'Amazon DSP',
    billingNames: ['Amazon Advertising LLC', 'AMAZON.COM SERVICES LLC', 'Amazon Ads'],
    weight: 6,
    currencies: [['USD', 90], ['CAD', 5], ['GBP', 5]],
    placements: ['Amazon DSP - Display 300x600', 'Sponsored Display', 'Amazon DSP - Streaming TV 30s', 'Sponsored Brands Video'],
    cpm: DISPLAY,
    billingDay: 5,
  },
  {
    name: 'The New York Times',
    billingNames: ['The New York Times Company', 'NYTIMES', 'New York Times Co.'],
    weight: 3,
    currencies: USD_ONLY,
    placements: [
      'Homepage Takeover, Desktop',
      'Article - Medium Rectangle 300x250',
      'The Morning Newsletter - Sponsorship',
      'NYT Cooking - Native',
      'Flex Frame - 970x250',
    ],
    cpm: PREMIUM,
    billingDay: 0,
  },
  {
    name: 'Spotify',
    billingNames: ['Spotify USA Inc', 'SPOTIFY AB', 'Spotify Advertising'],
    weight: 4,
    currencies: [['USD', 70], ['EUR', 20], ['GBP', 10]],
    placements: ['Audio Ads - 30s', 'Video Takeover - 30s', 'Podcast Ads - Midroll 60s', 'Sponsored Session'],
    cpm: AUDIO,
    billingDay: 10,
  },
  {
    name: 'Hulu',
    billingNames: ['Hulu LLC', 'HULU, LLC', 'Disney Advertising Sales (Hulu)'],
    weight: 3,
    currencies: USD_ONLY,
    placements: ['Hulu Pre-roll - 30s', 'Hulu Pause Ad', 'Hulu Binge Ad', 'Hulu Branded Slate - 15s'],
    cpm: CTV,
    billingDay: 0,
  },
  {
    name: 'LinkedIn',
    billingNames: ['LinkedIn Corporation', 'LINKEDIN CORP', 'LinkedIn Ireland Unlimited Company'],
    weight: 4,
    currencies: [['USD', 80], ['EUR', 15], ['GBP', 5]],
    placements: ['Sponsored Content - Single Image', 'Message Ads', 'Video Ads - 15s', 'Text Ads - Right Rail'],
    cpm: [2500, 8000],
    billingDay: 1,
  },
  {
    name: 'TikTok',
    billingNames: ['TikTok Inc.', 'TIKTOK PTE LTD', 'ByteDance Ads'],
    weight: 5,
    currencies: [['USD', 85], ['GBP', 10], ['EUR', 5]],
    placements: ['TopView - 5-60s Video', 'In-Feed Ads - 9:16', 'Branded Hashtag Challenge', 'Spark Ads'],
    cpm: SOCIAL,
    billingDay: 0,
  },
  {
    name: 'Snapchat',
    billingNames: ['Snap Inc.', 'SNAP INC', 'Snapchat Ads'],
    weight: 3,
    currencies: USD_ONLY,
    placements: ['Snap Ads - 1080x1920', 'Story Ads', 'Sponsored AR Lens', 'Commercials - 6s'],
    cpm: SOCIAL,
    billingDay: 0,
  },
  {
    name: 'Pinterest',
    billingNames: ['Pinterest, Inc.', 'PINTEREST INC', 'Pinterest Europe Ltd'],
    weight: 3,
    currencies: [['USD', 85], ['EUR', 10], ['GBP', 5]],
    placements: ['Promoted Pins - 1000x1500', 'Idea Ads', 'Shopping Ads', 'Promoted Video - 1:1'],
    cpm: SOCIAL,
    billingDay: 5,
  },
  {
    name: 'X Ads',
    billingNames: ['X Corp.', 'X CORP', 'Twitter Ads'],
    weight: 2,
    currencies: USD_ONLY,
    placements: ['Promoted Posts', 'Promoted Trend', 'Amplify Pre-roll', 'Follower Ads'],
    cpm: SOCIAL,
    billingDay: 0,
  },
  {
    name: 'Reddit',
    billingNames: ['Reddit, Inc.', 'REDDIT INC', 'Reddit Ads'],
    weight: 2,
    currencies: USD_ONLY,
    placements: ['Promoted Post - Feed', 'Conversation Placement', 'Takeover - Homepage'],
    cpm: SOCIAL,
    billingDay: 1,
  },
  {
    name: 'The Trade Desk',
    billingNames: ['The Trade Desk, Inc.', 'THE TRADE DESK INC', 'TTD'],
    weight: 5,
    currencies: [['USD', 85], ['EUR', 5], ['GBP', 5], ['CAD', 5]],
    placements: [
      'Open Market Display - 300x250',
      'Open Market Display - 728x90',
      'Connected TV - 30s',
      'Native - In-Feed',
      'Digital Audio - 30s',
    ],
    cpm: DISPLAY,
    billingDay: 10,
  },
  {
    name: 'Microsoft Advertising',
    billingNames: ['Microsoft Corporation', 'MICROSOFT ONLINE INC', 'Bing Ads'],
    weight: 3,
    currencies: USD_CAD,
    placements: ['Bing Search - Brand', 'Bing Search - Non-Brand', 'Microsoft Audience Network - Native', 'MSN Homepage - 300x250'],
    cpm: SEARCH,
    billingDay: 1,
  },
  {
    name: 'Roku',
    billingNames: ['Roku, Inc.', 'ROKU INC', 'Roku Advertising'],
    weight: 2,
    currencies: USD_CAD,
    placements: ['Roku Home Screen Marquee', 'Roku CTV - 30s', 'Roku City Sponsorship', 'The Roku Channel - 15s'],
    cpm: CTV,
    billingDay: 15,
  },
  {
    name: 'Pandora',
    billingNames: ['Pandora Media, LLC', 'SIRIUSXM MEDIA', 'Pandora Media'],
    weight: 2,
    currencies: USD_ONLY,
    placements: ['Pandora Audio - 30s', 'Pandora Video Plus', 'Pandora Display - 300x250', 'SiriusXM Podcast - Midroll'],
    cpm: AUDIO,
    billingDay: 0,
  },
  {
    name: 'iHeartMedia',
    billingNames: ['iHeartMedia + Entertainment, Inc.', 'IHEARTMEDIA', 'iHeart Media'],
    weight: 2,
    currencies: USD_ONLY,
    placements: ['Broadcast Radio :30', 'iHeartRadio Digital Audio - 30s', 'Podcast Host-Read - 60s', 'Event Sponsorship, Jingle Ball'],
    cpm: AUDIO,
    billingDay: 20,
  },
  {
    name: 'The Washington Post',
    billingNames: ['WP Company LLC', 'THE WASHINGTON POST', 'Washington Post Ads'],
    weight: 2,
    currencies: USD_ONLY,
    placements: ['Homepage - 970x250 Billboard', 'Article - 300x600 Half Page', 'Post Reports Podcast - Midroll', 'Zeus Native'],
    cpm: PREMIUM,
    billingDay: 0,
  },
  {
    name: 'The Wall Street Journal',
    billingNames: ['Dow Jones & Company, Inc.', 'DOW JONES & CO', 'WSJ Ads'],
    weight: 2,
    currencies: USD_ONLY,
    placements: ['WSJ.com - 728x90 Leaderboard', 'WSJ.com - 300x250', 'The 10-Point Newsletter', 'WSJ. Magazine - Print Full Page'],
    cpm: PREMIUM,
    billingDay: 0,
  },
  {
    name: 'The Guardian',
    billingNames: ['Guardian News & Media Ltd', 'GUARDIAN NEWS AND MEDIA', 'The Guardian'],
    weight: 2,
    currencies: [['GBP', 90], ['USD', 10]],
    placements: ['theguardian.com - MPU 300x250', 'Billboard 970x250', 'Guardian Labs - Branded Content', 'Today in Focus Podcast'],
    cpm: PREMIUM,
    billingDay: 0,
  },
  {
    name: 'BBC Studios',
    billingNames: ['BBC Global News Ltd', 'BBC STUDIOS', 'BBC.com Advertising'],
    weight: 2,
    currencies: [['GBP', 60], ['USD', 40]],
    placements: ['BBC.com - 300x250', 'BBC.com - 728x90', 'BBC Worklife - Sponsorship', 'BBC News Video Pre-roll - 15s'],
    cpm: PREMIUM,
    billingDay: 15,
  },
  {
    name: 'CNN',
    billingNames: ['Cable News Network, Inc.', 'CNN - WARNER BROS. DISCOVERY', 'CNN Digital'],
    weight: 2,
    currencies: USD_ONLY,
    placements: ['CNN.com - Homepage 970x250', 'CNN Video Pre-roll - 15s', 'CNN Underscored - Native', 'CNN Newsletters - Sponsorship'],
    cpm: PREMIUM,
    billingDay: 0,
  },
  {
    name: 'ESPN',
    billingNames: ['ESPN, Inc.', 'ESPN INC', 'Disney Advertising (ESPN)'],
    weight: 2,
    currencies: USD_ONLY,
    placements: ['ESPN.com - 728x90', 'ESPN+ Pre-roll - 30s', 'ESPN Fantasy Football - Sponsorship', 'ESPN App - 320x50'],
    cpm: VIDEO,
    billingDay: 0,
  },
  {
    name: 'Yahoo',
    billingNames: ['Yahoo Inc.', 'YAHOO AD TECH', 'Yahoo DSP'],
    weight: 2,
    currencies: USD_CAD,
    placements: ['Yahoo DSP - Display', 'Yahoo Homepage - LREC 300x250', 'Yahoo Finance - 728x90', 'Yahoo Sports - Video 15s'],
    cpm: DISPLAY,
    billingDay: 5,
  },
  {
    name: 'Peacock',
    billingNames: ['NBCUniversal Media, LLC', 'PEACOCK TV LLC', 'NBCU Peacock'],
    weight: 2,
    currencies: USD_ONLY,
    placements: ['Peacock Pre-roll - 30s', 'Peacock Pause Ad', 'Peacock Ad-Free Sponsorship', 'Peacock Premier League - 15s'],
    cpm: CTV,
    billingDay: 0,
  },
  {
    name: 'Netflix',
    billingNames: ['Netflix, Inc.', 'NETFLIX INC', 'Netflix Ads'],
    weight: 2,
    currencies: [['USD', 80], ['CAD', 10], ['GBP', 10]],
    placements: ['Standard with Ads - 30s', 'Standard with Ads - 15s', 'Netflix Pause Ad', 'Live Event Sponsorship'],
    cpm: CTV,
    billingDay: 0,
  },
  {
    name: 'Twitch',
    billingNames: ['Twitch Interactive, Inc.', 'TWITCH INTERACTIVE', 'Twitch Ads'],
    weight: 1,
    currencies: USD_ONLY,
    placements: ['Twitch Pre-roll - 30s', 'Twitch Homepage Carousel', 'Twitch Display - 300x250', 'Twitch Stream Sponsorship'],
    cpm: VIDEO,
    billingDay: 1,
  },
  {
    name: 'Le Monde',
    billingNames: ['Société Éditrice du Monde', 'LE MONDE SA', 'M Publicité'],
    weight: 1,
    currencies: [['EUR', 1]],
    placements: ['lemonde.fr - Pavé 300x250', 'lemonde.fr - Habillage', 'La Matinale Newsletter', 'M Le magazine - Pleine page'],
    cpm: PREMIUM,
    billingDay: 0,
  },
  {
    name: 'The Globe and Mail',
    billingNames: ['The Globe and Mail Inc.', 'GLOBE AND MAIL', 'Globe Media Group'],
    weight: 1,
    currencies: [['CAD', 1]],
    placements: ['theglobeandmail.com - 300x250', 'Globe Drive - Sponsorship', 'Morning Update Newsletter', 'Report on Business - Print'],
    cpm: PREMIUM,
    billingDay: 15,
  },
  {
    name: 'Criteo',
    billingNames: ['Criteo SA', 'CRITEO CORP', 'Criteo'],
    weight: 2,
    currencies: [['USD', 50], ['EUR', 50]],
    placements: ['Retargeting - Dynamic Display', 'Retail Media - Sponsored Products', 'Commerce Video - 15s'],
    cpm: DISPLAY,
    billingDay: 10,
  },
];

export const ADVERTISERS: readonly string[] = [
  'Acme Beverages',
  'Northwind Outdoor',
  'Contoso Bank',
  'Globex Insurance',
  'Initech Software',
  'Umbrella Pharmaceuticals',
  'Stark Home Goods',
  'Wayne Automotive',
  'Tyrell Electronics',
  'Soylent Foods',
  'Hooli Cloud',
  'Pied Piper Storage',
  'Vandelay Industries',
  'Bluth Frozen Treats',
  'Dunder Mifflin Paper',
  'Oceanic Airlines',
  'Wonka Confectionery',
  'Gringotts Financial',
  'Monarch Mattress Co.',
  'Summit Peak Apparel',
  'Harbor & Vine Wines',
  'Brightside Dental',
  'Evergreen Pet Supply',
  'Lumen Skincare',
  'Redwood Realty Group',
  'Cobalt Fitness Clubs',
  'Maple Street Bakery',
  'Orion Telecom',
  'Atlas Moving & Storage',
  'Sterling Watches',
  'Baker, Lowe & Partners',
  'Fresh Fields Grocers',
  'Velocity Sports Drinks',
  'Blue Lagoon Resorts',
  'Crescent Coffee Roasters',
  'Pioneer Solar',
  'Nimbus Streaming',
  'Halcyon Hotels',
  'Quarry Craft Beer',
  'Juniper Kids, Inc.',
  'Ironclad Tools',
  'Silverline Cruises',
  'Papa Joe\'s "Famous" Pizza',
  'Aurora Cosmetics',
  'Keystone Credit Union',
  'Trailhead Outfitters',
  'Polaris Electric Vehicles',
  'Golden Gate Tea Co.',
  'Meridian Health',
  'Zephyr Air Purifiers',
];

/** Campaign themes by the month (0-11) the IO starts in; a year suffix is added. */
export const SEASONAL_THEMES: readonly (readonly string[])[] = [
  ['New Year Kickoff', 'Winter Clearance', 'Resolution Season'],
  ['Valentine\'s Day Promo', 'Winter Clearance', 'Big Game Weekend'],
  ['Spring Preview', 'March Madness', 'Tax Season Savings'],
  ['Spring Launch', 'Easter Weekend', 'Earth Day'],
  ['Mother\'s Day', 'Memorial Day Sale', 'Graduation Season'],
  ['Summer Splash', 'Father\'s Day', 'Pride Month'],
  ['Summer Splash', 'Fourth of July', 'Prime Days Push'],
  ['Back to School', 'Summer Splash', 'Late Summer Sale'],
  ['Back to School', 'Labor Day Sale', 'Fall Preview'],
  ['Fall Collection', 'Halloween Spooktacular', 'Football Season'],
  ['Black Friday', 'Cyber Monday Blitz', 'Holiday Gift Guide'],
  ['Holiday Cheer', 'Year-End Push', 'Holiday Gift Guide'],
];

export const EVERGREEN_THEMES: readonly string[] = [
  'Brand Awareness',
  'Always-On Performance',
  'Product Launch: Aurora',
  'Retargeting Evergreen',
  'Store Traffic Drive',
  '"Taste the Difference"',
  'Loyalty Program, Phase 2',
  'App Install Drive',
  'New Market Entry',
  'Lead Generation',
];

/** Descriptions for invoice lines that no buy authorized. */
export const UNAUTHORIZED_LABELS: readonly string[] = [
  'Bonus inventory',
  'Added value - extension',
  'Rate card adjustment',
  'Unplanned flight extension',
  'Sponsorship add-on',
  'Production fee',
];

export const MONTH_ABBREVIATIONS: readonly string[] = [
  'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec',
];
