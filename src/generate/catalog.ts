/**
 * The fixed parts of the demo company: programs with their planted causal effects, partner
 * types mapped to programs, word lists for names, channels and touch types, and the scales.
 */
import type { ActivityType, PartnerType, TouchType } from '../warehouse/index.js';

/**
 * `ci` is partner-rich and quick: 16 partners over 20,000 accounts give each partner ~100-700
 * engaged accounts (small gives most partners fewer than 30), so a truth test can score partners,
 * not only programs, in well under a minute.
 */
export const SCALES = ['small', 'medium', 'large', 'ci'] as const;
export type Scale = (typeof SCALES)[number];

export interface ScaleParams {
  accounts: number;
  partners: number;
  /** Mean background (non-partner) touches per account over the whole history. */
  backgroundTouches: number;
  /** Mean extra touches in the 60 days before each new-business opportunity. */
  preOpportunityTouches: number;
  /** Mean partner touches per month for an engaged account. */
  partnerTouchesPerMonth: number;
  /** Usage rows per customer per month. */
  usagePerMonth: number;
}

export const SCALE_PARAMS: Record<Scale, ScaleParams> = {
  small: { accounts: 1200, partners: 24, backgroundTouches: 5.5, preOpportunityTouches: 2.5, partnerTouchesPerMonth: 1, usagePerMonth: 2 },
  medium: { accounts: 100_000, partners: 80, backgroundTouches: 5.5, preOpportunityTouches: 2.5, partnerTouchesPerMonth: 1, usagePerMonth: 1 },
  large: { accounts: 1_000_000, partners: 200, backgroundTouches: 5.5, preOpportunityTouches: 2.5, partnerTouchesPerMonth: 1, usagePerMonth: 1 },
  ci: { accounts: 20_000, partners: 16, backgroundTouches: 5.5, preOpportunityTouches: 2.5, partnerTouchesPerMonth: 1, usagePerMonth: 1 },
};

/**
 * A partner program and its planted effect for a partner of strength 1. A partner of strength s
 * gets open lift `s * openLift`, win lift `s * winLift` and deal-size multiplier
 * `1 + s * (dealSizeMultiplier - 1)`.
 */
export interface ProgramSpec {
  name: string;
  activityTypes: readonly ActivityType[];
  /** Relative lift of the monthly chance to open a new-business opportunity (0.8 = +80%). */
  openLift: number;
  /** Relative lift of the chance to win (capped at 0.95 absolute). */
  winLift: number;
  /** Multiplier of the deal size. */
  dealSizeMultiplier: number;
  /** Share of an engaged account's opportunities that name the partner as sourced / registered. */
  sourcedShare: number;
  registeredShare: number;
}

export const PROGRAMS: readonly ProgramSpec[] = [
  { name: 'Co-sell Accelerator', activityTypes: ['co_sell', 'deal_registration'], openLift: 0.8, winLift: 0.35, dealSizeMultiplier: 1.25, sourcedShare: 0.25, registeredShare: 0.45 },
  { name: 'Referral Rewards', activityTypes: ['referral', 'incentive'], openLift: 1.0, winLift: 0.1, dealSizeMultiplier: 1.0, sourcedShare: 0.6, registeredShare: 0.1 },
  { name: 'Marketplace Launch', activityTypes: ['marketplace'], openLift: 0.4, winLift: 0.2, dealSizeMultiplier: 0.9, sourcedShare: 0.3, registeredShare: 0.05 },
  { name: 'Webinar Series', activityTypes: ['webinar', 'co_branded_content'], openLift: 0.3, winLift: 0.05, dealSizeMultiplier: 1.0, sourcedShare: 0.05, registeredShare: 0.02 },
  { name: 'MDF Q-campaigns', activityTypes: ['mdf_campaign', 'event'], openLift: 0.5, winLift: 0.1, dealSizeMultiplier: 1.05, sourcedShare: 0.1, registeredShare: 0.05 },
  { name: 'Tech Integrations', activityTypes: ['co_branded_content', 'other'], openLift: 0.2, winLift: 0.3, dealSizeMultiplier: 1.15, sourcedShare: 0.1, registeredShare: 0.1 },
  { name: 'Partner Enablement', activityTypes: ['training', 'other'], openLift: 0, winLift: 0, dealSizeMultiplier: 1, sourcedShare: 0.02, registeredShare: 0 },
];

export const PROGRAM_OF_TYPE: Record<PartnerType, string> = {
  reseller: 'Co-sell Accelerator',
  alliance: 'MDF Q-campaigns',
  referral: 'Referral Rewards',
  affiliate: 'Referral Rewards',
  technology: 'Tech Integrations',
  agency: 'Webinar Series',
  marketplace: 'Marketplace Launch',
  other: 'Partner Enablement',
};

/** Partner strengths, cycled over partners in a seeded order: some zero, some strong. */
export const STRENGTHS = [1, 0, 2.5, 0.5, 1.5, 0, 1] as const;

export const TIERS = ['gold', 'silver', 'registered'] as const;
export const TIER_REACH: Record<(typeof TIERS)[number], number> = { gold: 3, silver: 2, registered: 1 };

export const REGIONS = ['NA', 'EMEA', 'APAC', 'LATAM'] as const;
export const REGION_WEIGHTS = [0.45, 0.3, 0.18, 0.07] as const;

export const INDUSTRIES = [
  'Software', 'Financial Services', 'Healthcare', 'Manufacturing', 'Retail', 'Logistics',
  'Education', 'Media', 'Telecommunications', 'Energy', 'Public Sector', 'Professional Services',
] as const;

export const NAME_A = [
  'Acme', 'Northwind', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay',
  'Soylent', 'Tyrell', 'Cyberdyne', 'Aperture', 'Blue Harbor', 'Redwood', 'Silverline', 'Brightpath',
  'Ironclad', 'Summit', 'Evergreen', 'Pioneer', 'Quantum', 'Orbital', 'Granite', 'Cobalt', 'Maple',
  'Falcon', 'Lakeside', 'Meridian', 'Nimbus',
] as const;
export const NAME_B = [
  'Logistics', 'Systems', 'Analytics', 'Health', 'Foods', 'Robotics', 'Capital', 'Energy', 'Media',
  'Labs', 'Networks', 'Retail', 'Bank', 'Insurance', 'Pharma', 'Motors', 'Telecom', 'Software',
] as const;
export const NAME_SUFFIX = ['Inc', 'LLC', 'GmbH', 'Ltd', 'SA', 'Corp', 'BV', 'AG', 'Pty Ltd'] as const;
export const PARTNER_WORDS = [
  'Cloud Partners', 'Consulting', 'Digital', 'Solutions', 'Integrators', 'Marketplace', 'Group',
  'Advisory', 'Networks', 'Labs', 'Media', 'Ventures',
] as const;
export const FIRST_NAMES = ['ana', 'ben', 'chloe', 'david', 'emma', 'farid', 'grace', 'hiro', 'ines', 'jon', 'kai', 'lena', 'maya', 'noah', 'olga', 'priya', 'quinn', 'raj', 'sara', 'tom'] as const;
export const LAST_NAMES = ['smith', 'mueller', 'garcia', 'chen', 'okafor', 'rossi', 'novak', 'tanaka', 'silva', 'dubois', 'kowalski', 'nguyen', 'brown', 'singh'] as const;
export const TITLES = ['VP Sales', 'CTO', 'Head of IT', 'Procurement Manager', 'Data Engineer', 'CFO', 'Marketing Director', 'Operations Lead', 'CIO', 'Analyst'] as const;
export const OWNERS = ['alice.m', 'bruno.k', 'carla.v', 'dmitri.p', 'elena.r', 'felix.w', 'gita.s', 'hana.t'] as const;
export const PRODUCTS = ['Platform', 'Analytics Add-on', 'Enterprise Suite', 'Starter', 'Data Connectors'] as const;
export const LEAD_SOURCES = ['Web', 'Outbound', 'Event', 'Paid Search', 'Inbound Call', 'Content'] as const;
export const CONTACT_ROLES = ['Decision Maker', 'Economic Buyer', 'Champion', 'Technical Evaluator', 'User'] as const;
export const USAGE_EVENTS = ['login', 'report_run', 'api_call', 'dashboard_view', 'export'] as const;
export const SOURCE_SYSTEMS = ['hubspot', 'salesforce', 'marketo', 'segment'] as const;

/** Non-partner channels, their weights and the touch types each uses. */
export const CHANNELS = ['paid', 'organic', 'email', 'events', 'outbound', 'direct'] as const;
export const CHANNEL_WEIGHTS = [0.25, 0.2, 0.22, 0.08, 0.12, 0.13] as const;
export const CHANNEL_TOUCH_TYPES: Record<(typeof CHANNELS)[number], readonly TouchType[]> = {
  paid: ['impression', 'click', 'click'],
  organic: ['visit', 'content_view', 'download'],
  email: ['click', 'content_view', 'form_fill'],
  events: ['registered', 'attended', 'meeting'],
  outbound: ['meeting', 'other'],
  direct: ['visit', 'form_fill'],
};

/** Touch types of a partner activity's touches. */
export const ACTIVITY_TOUCH_TYPES: Record<ActivityType, readonly TouchType[]> = {
  co_branded_content: ['content_view', 'download'],
  event: ['registered', 'attended'],
  webinar: ['registered', 'attended', 'content_view'],
  incentive: ['click', 'form_fill'],
  co_sell: ['meeting', 'meeting', 'other'],
  referral: ['referral', 'meeting'],
  deal_registration: ['deal_registration', 'meeting'],
  marketplace: ['visit', 'click', 'impression'],
  mdf_campaign: ['impression', 'click', 'form_fill'],
  training: ['attended', 'content_view'],
  other: ['other', 'visit'],
};

/** Typical cost (USD) of an activity type; zero means no cost column. */
export const ACTIVITY_COST: Record<ActivityType, number> = {
  co_branded_content: 4000, event: 25000, webinar: 3000, incentive: 8000, co_sell: 0,
  referral: 1500, deal_registration: 0, marketplace: 12000, mdf_campaign: 20000, training: 5000,
  other: 1000,
};

/**
 * Cohort plant: renewal and churn behaviour of partner-sourced versus direct customers. The
 * churn probabilities are population rates (averaged over health); each customer's own rate
 * depends on its latent health, see {@link HEALTH}.
 */
export const COHORT_PARAMS = {
  partner_sourced: { annual_churn_probability: 0.12, expansion_probability: 0.35 },
  direct: { annual_churn_probability: 0.22, expansion_probability: 0.2 },
  /** Share of the annual churn that happens mid-term (a cancellation with a 'churn' credit line). */
  mid_term_share: 0.05,
  contraction_probability: 0.08,
  refund_probability: 0.01,
} as const;

/**
 * Renewal plant: every account has a latent health h ~ N(0, 1) (its own random stream). Health
 * drives the product usage of a customer (monthly events ~ Poisson(usagePerMonth × exp(σ·h − σ²/2)),
 * so the mean volume is unchanged, and healthier customers use more of the catalogue) AND its
 * churn: P(churn) = logistic(c − health_effect_log_odds · h), both for the mid-term cancellation
 * and for the non-renewal, with c set so the mean over h is the cohort's share from COHORT_PARAMS.
 */
export const HEALTH = {
  health_effect_log_odds: 1.5,
  usage_log_sd: 0.9,
  /** Events used: the first k of USAGE_EVENTS, k = 1 + round((n − 1) · logistic(adoption_intercept + adoption_slope · h)). */
  adoption_intercept: 0.5,
  adoption_slope: 1.2,
} as const;
