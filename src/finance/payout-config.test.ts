import { describe, expect, test } from 'vitest';
import { validateConfig } from '../core/index.js';
import { compilePayoutConfig, PayoutConfigSchema, toPpm } from './payout-config.js';

const compile = (value: unknown) => compilePayoutConfig(validateConfig('payouts.yaml', value, PayoutConfigSchema), 'payouts.yaml');

describe('payout config', () => {
  test('rates and amounts are read exactly: ppm and cents, never floats', () => {
    const cfg = compile({
      plans: {
        gold: {
          applies_to: { tier: 'gold' }, basis: 'sourced', rate: 0.125, caps: { per_deal: '2500.50' }, bounty: { new_customer: 500 },
        },
      },
    });
    const p = cfg.plans[0];
    expect(p && [p.specificity, p.tiers.bands, p.cap_per_deal_cents, p.bounty_cents, p.clawback_kinds, p.accrue_on]).toEqual([
      2, [{ from_cents: 0n, rate_ppm: 125_000n }], 250_050n, 50_000n, ['refund', 'churn'], 'recognition',
    ]);
    expect(toPpm('0.000001')).toBe(1n);
  });

  describe('failures', () => {
    test('bands out of order, a first band above 0 and both rate and tiers are each named by key', () => {
      const bad = (plan: unknown) => () => compile({ plans: { p: { basis: 'sourced', ...(plan as object) } } });
      expect(bad({ tiers: { mode: 'whole', bands: [{ from: 0, rate: 0.1 }, { from: 0, rate: 0.2 }] } })).toThrow(/plans\.p\.tiers\.bands: bands must be in increasing order/);
      expect(bad({ tiers: { mode: 'whole', bands: [{ from: 10, rate: 0.1 }] } })).toThrow(/plans\.p\.tiers\.bands: the first band must start at 0/);
      expect(bad({ rate: 0.1, tiers: { mode: 'whole', bands: [{ from: 0, rate: 0.1 }] } })).toThrow(/plans\.p\.rate: give either `rate` or `tiers`/);
      expect(bad({ rate: '0.1234567' })).toThrow(/plans\.p\.rate: expected a rate between 0 and 1 with at most 6 decimals/);
      expect(bad({ rate: 0.1, caps: { per_deal: '10.001' } })).toThrow(/plans\.p\.caps\.per_deal: expected an amount/);
      expect(() => compile({ plans: { p: { basis: 'sourced', rate: 0.1 } }, mdf: { claims: [
        { claim_id: 'C1', partner_id: 'P', activity_id: 'A', amount: 1, submitted_at: '2026-01-01' },
        { claim_id: 'C1', partner_id: 'P', activity_id: 'A', amount: 1, submitted_at: '2026-01-02' },
      ] } })).toThrow(/mdf\.claims\.1\.claim_id: duplicate claim_id "C1"/);
    });
  });
});
