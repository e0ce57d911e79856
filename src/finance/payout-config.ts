/**
 * Payout plans: `config/payouts.yaml`, validated with zod at load; every error names the file and
 * the key path (src/core/config.ts). Rates are exact: a rate like 0.125 is read as a decimal
 * string and kept as parts per million (125000 ppm), money as bigint cents; no binary floats are
 * ever summed.
 *
 * A partner gets exactly one plan: the most specific match wins (partner_id > tier > partner_type >
 * a plan with no `applies_to`, the default); among equally specific plans the first in the file.
 *
 * @example
 * const cfg = loadPayoutConfig();                 // shipped defaults or ./config
 * cfg.plans[0]?.rate_ppm                          // 100000n for `rate: 0.10`
 */
import { z } from 'zod';
import { JointlyError, configFile, loadYamlConfig, toMinor } from '../core/index.js';
import { PARTNER_TYPES, REVENUE_KINDS } from '../warehouse/index.js';

export const PAYOUT_BASES = ['attributed', 'sourced', 'registered'] as const;
export type PayoutBasis = (typeof PAYOUT_BASES)[number];
export const ACCRUE_ON = ['booking', 'invoice', 'recognition'] as const;
export type AccrueOn = (typeof ACCRUE_ON)[number];
export const TIER_MODES = ['marginal', 'whole'] as const;
export type TierMode = (typeof TIER_MODES)[number];
export const MDF_CLAIM_STATUSES = ['submitted', 'approved', 'rejected', 'paid'] as const;

const RATE_RE = /^\d+(\.\d{1,6})?$/;
const MONEY_RE = /^\d+(\.\d{1,2})?$/;

/** A rate as a number or string with at most 6 decimals, 0..1, kept as text for exact parsing. */
const rate = z
  .union([z.number(), z.string()])
  .transform((v) => String(v))
  .refine((s) => RATE_RE.test(s) && Number(s) <= 1, 'expected a rate between 0 and 1 with at most 6 decimals, e.g. 0.125');
/** A non-negative money amount in the base currency, at most 2 decimals. */
const money = z
  .union([z.number(), z.string()])
  .transform((v) => String(v))
  .refine((s) => MONEY_RE.test(s), 'expected an amount like 5000 or 5000.00 (base currency, at most 2 decimals)');

const tiersSchema = z
  .object({
    mode: z.enum(TIER_MODES),
    bands: z
      .array(z.object({ from: money, rate }).strict())
      .min(1)
      .refine((b) => centsOrUndefined(b[0]?.from) === 0n, 'the first band must start at 0')
      .refine(
        (b) => b.every((x, i) => i === 0 || (centsOrUndefined(x.from) ?? 0n) > (centsOrUndefined(b[i - 1]?.from) ?? 0n)),
        'bands must be in increasing order of `from`',
      ),
  })
  .strict();

const planSchema = z
  .object({
    description: z.string().optional(),
    applies_to: z
      .object({
        partner_id: z.string().min(1).optional(),
        tier: z.string().min(1).optional(),
        partner_type: z.enum(PARTNER_TYPES).optional(),
      })
      .strict()
      .refine((a) => Object.keys(a).length === 1, 'name exactly one of partner_id, tier or partner_type')
      .optional(),
    basis: z.enum(PAYOUT_BASES).default('attributed'),
    model: z.string().optional(),
    accrue_on: z.enum(ACCRUE_ON).default('recognition'),
    rate: rate.optional(),
    tiers: tiersSchema.optional(),
    min_credit_share: rate.default('0'),
    caps: z.object({ per_deal: money.optional(), per_period: money.optional() }).strict().default({}),
    max_deal_payout_rate: rate.optional(),
    clawback: z
      .object({
        kinds: z.array(z.enum(REVENUE_KINDS)).default(['refund', 'churn']),
        within_days: z.number().int().min(0).max(3650).default(365),
      })
      .strict()
      .default({ kinds: ['refund', 'churn'], within_days: 365 }),
    bounty: z.object({ new_customer: money }).strict().optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.rate === undefined) === (p.tiers === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['rate'], message: 'give either `rate` or `tiers`, not both and not neither' });
    }
    if (p.basis === 'attributed' && !p.model) {
      ctx.addIssue({ code: 'custom', path: ['model'], message: 'basis `attributed` needs the attribution `model` to read credit from' });
    }
  });

const periodRe = /^\d{4}(-Q[1-4]|-\d{2})?$/;
const mdfSchema = z
  .object({
    budgets: z
      .array(z.object({ partner_id: z.string().min(1), period: z.string().regex(periodRe, 'expected a period like 2026-Q3, 2026-07 or 2026'), amount: money }).strict())
      .default([]),
    claims: z
      .array(
        z
          .object({
            claim_id: z.string().min(1),
            partner_id: z.string().min(1),
            activity_id: z.string().min(1),
            amount: money,
            submitted_at: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date like 2026-07-15'),
            status: z.enum(MDF_CLAIM_STATUSES).default('submitted'),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.claims.forEach((c, i) => {
      if (seen.has(c.claim_id)) ctx.addIssue({ code: 'custom', path: ['claims', i, 'claim_id'], message: `duplicate claim_id "${c.claim_id}"` });
      seen.add(c.claim_id);
    });
  });

export const PayoutConfigSchema = z
  .object({
    base_currency: z.string().regex(/^[A-Z]{3}$/).default('USD'),
    plans: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'plan names are lower_snake_case'), planSchema),
    mdf: mdfSchema.default({ budgets: [], claims: [] }),
  })
  .strict();
export type PayoutConfigFile = z.infer<typeof PayoutConfigSchema>;

/** One plan in exact units, ready for SQL. */
export interface PayoutPlan {
  name: string;
  /** 0 default, 1 partner_type, 2 tier, 3 partner_id. */
  specificity: number;
  order: number;
  match: { partner_id?: string; tier?: string; partner_type?: string };
  basis: PayoutBasis;
  model: string | null;
  accrue_on: AccrueOn;
  tiers: { mode: TierMode; bands: { from_cents: bigint; rate_ppm: bigint }[] };
  min_share_ppm: bigint;
  cap_per_deal_cents: bigint | null;
  cap_per_period_cents: bigint | null;
  max_deal_rate_ppm: bigint | null;
  clawback_kinds: string[];
  clawback_days: number;
  bounty_cents: bigint | null;
}

export interface PayoutConfig {
  file: string;
  base_currency: string;
  plans: PayoutPlan[];
  mdf: PayoutConfigFile['mdf'];
  raw: PayoutConfigFile;
}

/** Parses a rate text ("0.125") into parts per million (125000n). */
export function toPpm(text: string): bigint {
  if (!RATE_RE.test(text)) throw new JointlyError('BAD_ARGUMENT', `Expected a rate like 0.125, got "${text}".`);
  const [whole = '0', frac = ''] = text.split('.');
  return BigInt(whole) * 1_000_000n + BigInt((frac + '000000').slice(0, 6));
}

function centsOrUndefined(text: string | undefined): bigint | undefined {
  try {
    return text === undefined ? undefined : toMinor(text);
  } catch {
    return undefined;
  }
}

/**
 * Loads and validates payouts.yaml (from `configDir`, $JOINTLY_CONFIG, ./config or the shipped
 * defaults).
 *
 * @example
 * const { plans } = loadPayoutConfig('my-config');
 */
export function loadPayoutConfig(configDir?: string): PayoutConfig {
  const file = configFile('payouts.yaml', configDir);
  const raw = loadYamlConfig(file, PayoutConfigSchema);
  return compilePayoutConfig(raw, file);
}

/** Turns a validated file into exact plans (also used by tests with inline configs). */
export function compilePayoutConfig(raw: PayoutConfigFile, file: string): PayoutConfig {
  const plans = Object.entries(raw.plans).map(([name, p], order): PayoutPlan => {
    const a = p.applies_to ?? {};
    const bands = p.tiers
      ? p.tiers.bands.map((b) => ({ from_cents: toMinor(b.from), rate_ppm: toPpm(b.rate) }))
      : [{ from_cents: 0n, rate_ppm: toPpm(p.rate ?? '0') }];
    return {
      name,
      specificity: a.partner_id ? 3 : a.tier ? 2 : a.partner_type ? 1 : 0,
      order,
      match: { ...a },
      basis: p.basis,
      model: p.basis === 'attributed' ? (p.model ?? null) : (p.model ?? null),
      accrue_on: p.accrue_on,
      tiers: { mode: p.tiers?.mode ?? 'marginal', bands },
      min_share_ppm: toPpm(p.min_credit_share),
      cap_per_deal_cents: p.caps.per_deal !== undefined ? toMinor(p.caps.per_deal) : null,
      cap_per_period_cents: p.caps.per_period !== undefined ? toMinor(p.caps.per_period) : null,
      max_deal_rate_ppm: p.max_deal_payout_rate !== undefined ? toPpm(p.max_deal_payout_rate) : null,
      clawback_kinds: [...p.clawback.kinds],
      clawback_days: p.clawback.within_days,
      bounty_cents: p.bounty ? toMinor(p.bounty.new_customer) : null,
    };
  });
  return { file, base_currency: raw.base_currency, plans, mdf: raw.mdf, raw };
}
