/**
 * Payout statements against hand-computed expectations (see finance-fixture.ts for the company).
 * All amounts are USD decimal strings (base currency) unless a comment says otherwise.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  computePayouts, createPayoutStatement, getPayoutStatement, loadPayoutConfig, parsePeriod, payoutStatementCsv, type PayoutStatement,
} from '../../src/finance/index.js';
import { sql } from '../../src/warehouse/index.js';
import { openFinanceFixture, type FinanceFixture } from './finance-fixture.js';

let fx: FinanceFixture;
let st: PayoutStatement;

beforeAll(async () => {
  fx = await openFinanceFixture();
  st = await createPayoutStatement(fx.wh, { period: '2026-Q3', configDir: fx.configDir });
}, 60_000);
afterAll(async () => {
  await fx.wh.close();
});

const brief = (s: PayoutStatement, partner: string) =>
  s.partners
    .find((p) => p.partner_id === partner)
    ?.lines.map((l) => [l.line_kind, l.opportunity_id ?? /claim (\w+)/.exec(l.rule)?.[1], l.revenue, l.credit_share, l.credited_revenue, l.amount]);

describe('payout statements', () => {
  test('currency conversion happened at ingest: EUR and GBP deals are credited in USD', async () => {
    const rows = await fx.wh.all(sql`select opportunity_id, amount::VARCHAR as amount, currency, amount_base::VARCHAR as base
      from core.opportunities where opportunity_id in ('O1', 'O2') order by 1`);
    expect(rows).toEqual([
      { opportunity_id: 'O1', amount: '4000.00', currency: 'EUR', base: '4400.00' }, // x 1.10
      { opportunity_id: 'O2', amount: '1000.00', currency: 'GBP', base: '1250.00' }, // x 1.25
    ]);
  });

  test('reseller: marginal tiers on invoiced credit, per-deal cap, multi-party deal limit, clawback of a refund', () => {
    // Invoiced in Q3: R1 3,300.00 x 25% = 825.00; R3 1,250.00 x 50% (RS credit 100% + RF sourced 100% -> halves) = 625.00.
    // Volume 1,450.00: 1,000 x 10% + 450 x 20% = 190.00, spread by largest remainder: 108.10 and 81.90.
    // O1 capped per deal at 100.00. O2: RS 81.90 + RF 31.25 = 113.15 > 8% x 1,250.00 = 100.00 -> 72.38 / 27.62.
    // Refund R2 -440.00 x 25% = -110.00 within 90 days of close, at the effective rate 190/1450: -14.41.
    expect(brief(st, 'RS')).toEqual([
      ['accrual', 'O1', '3300.00', '0.250000', '825.00', '100.00'],
      ['accrual', 'O2', '1250.00', '0.500000', '625.00', '72.38'],
      ['reversal', 'O1', '-440.00', '0.250000', '-110.00', '-14.41'],
      ['not_clawed_back', 'O2', '-125.00', '0.500000', '-62.50', '0.00'], // churn is not in the plan's clawback kinds
      ['mdf', 'C4', '50.00', null, '0.00', '0.00'],
    ]);
    const rs = st.partners.find((p) => p.partner_id === 'RS');
    expect(rs && [rs.plan, rs.accruals, rs.reversals, rs.total]).toEqual(['resellers', '172.38', '-14.41', '157.97']);
    expect(rs?.lines[0]?.rule).toMatch(/marginal tiers .*capped at 100.00 per deal/);
    expect(rs?.lines[3]?.rule).toBe('churn not clawed back: not a clawback kind of the plan');
    expect(rs?.lines[4]?.rule).toMatch(/partner is not on activity ACT1/);
  });

  test('referral: sourced share on booking, limited with the reseller on the same deal, plus a new-customer bounty', () => {
    // Booking O2 1,250.00 x 50% = 625.00 x 5% = 31.25 -> 27.62 after the deal limit; bounty 100.00 (A2's first won deal).
    expect(brief(st, 'RF')).toEqual([
      ['accrual', 'O2', '1250.00', '0.500000', '625.00', '27.62'],
      // This plan keeps the default clawback (refund and churn within 365 days): -62.50 x 5% = -3.125 -> -3.13.
      ['reversal', 'O2', '-125.00', '0.500000', '-62.50', '-3.13'],
      ['bounty', 'O2', '1250.00', '0.500000', '0.00', '100.00'],
    ]);
    expect(st.partners.find((p) => p.partner_id === 'RF')?.total).toBe('124.49');
  });

  test('technology: below the minimum credit share the deal is internal; ratable recognition over 91 days', () => {
    // O1: TC has 25% < 30% -> zero lines. R1 recognised in Q3 = 3,300.00 x 92/365 = 831.78; TC's part 207.94 (RS took the tie cent).
    // R4: 910.00 over 91 days, 61 of them in Q3 = 610.00; TC 50% = 305.00 x 10% = 30.50.
    expect(brief(st, 'TC')).toEqual([
      ['accrual', 'O3', '610.00', '0.500000', '305.00', '30.50'],
      ['below_threshold', 'O1', '831.78', '0.250000', '207.94', '0.00'],
      ['below_threshold', 'O1', '-440.00', '0.250000', '-110.00', '0.00'],
    ]);
  });

  test('gold tier: whole-amount tier then the per-period cap; MDF claims within budget', () => {
    // R5 770.00 recognised, whole tier 20% = 154.00, capped at 90.00 per period.
    // MDF budget 500.00: C1 300.00, C2 400.00 -> 200.00 left, C3 only submitted -> 0.00.
    expect(brief(st, 'GD')).toEqual([
      ['accrual', 'O4', '770.00', '1.000000', '770.00', '90.00'],
      ['mdf', 'C1', '300.00', null, '0.00', '300.00'],
      ['mdf', 'C2', '400.00', null, '0.00', '200.00'],
      ['mdf', 'C3', '50.00', null, '0.00', '0.00'],
    ]);
    expect(st.partners.find((p) => p.partner_id === 'GD')?.total).toBe('590.00');
  });

  test('lines add up to the partner totals and the statement total exactly', () => {
    // 157.97 + 124.49 + 30.50 + 590.00
    expect(st.total).toBe('902.96');
    for (const p of st.partners) {
      const cents = p.lines.reduce((a, l) => a + BigInt(l.amount.replace('.', '')), 0n);
      expect(cents).toBe(BigInt(p.total.replace('.', '')));
    }
  });

  test('recognised revenue reconciles: partners + below threshold + internal + unlinked', () => {
    // 831.78 - 440.00 + 1,250.00 + 610.00 + 770.00 + 100.00 - 125.00 = 2,996.78
    expect(st.reconciliation).toEqual({
      revenue_recognised: '2996.78',
      partner_credited: '2297.95', // RS 207.95 - 110 + 625 - 62.50, RF 625 - 62.50, TC 305, GD 770
      below_threshold: '97.94', // TC on O1: 207.94 - 110.00
      internal: '500.89', // O1 415.89 - 220.00, O3 organic half 305.00
      unlinked: '100.00', // R6
    });
  });

  test('the statement is stored as a payouts run and read back for one partner; CSV for the payments system', async () => {
    const again = await getPayoutStatement(fx.wh, { period: '2026-Q3', partnerId: 'RF' });
    expect(again.run_id).toBe(st.run_id);
    expect(again.partners.map((p) => [p.partner_id, p.total])).toEqual([['RF', '124.49']]);
    expect(again.total).toBe('124.49');
    const run = await fx.wh.get<{ kind: string; status: string }>(sql`select kind, status from meta.runs where run_id = ${st.run_id}`, 'no run');
    expect(run).toEqual({ kind: 'payouts', status: 'succeeded' });
    const csv = payoutStatementCsv(again).trim().split('\r\n');
    expect(csv[0]).toBe('run_id,period,line_no,partner_id,plan,line_kind,opportunity_id,revenue_id,revenue_kind,accrue_on,basis,revenue,credit_share,credited_revenue,amount,currency,original_currency,rule');
    expect(csv.length).toBe(4);
    expect(csv[3]).toMatch(/,RF,referral,bounty,O2,.*,100.00,USD,GBP,new-customer bounty 100.00$/);
  });

  test('ratable recognition: the quarters of a line add up to the line exactly', async () => {
    // R1: 3,300.00 over 2026-07-01..2027-06-30 (365 days): 92 + 92 + 90 + 91 days.
    const parts: string[] = [];
    for (const q of ['2026-Q3', '2026-Q4', '2027-Q1', '2027-Q2']) {
      await computePayouts(fx.wh, { period: parsePeriod(q), config: loadPayoutConfig(fx.configDir) });
      const r = await fx.wh.get<{ c: string }>(`select cents::VARCHAR as c from fin_base where measure = 'recognition' and revenue_id = 'R1'`, 'no R1');
      parts.push(r.c);
    }
    expect(parts).toEqual(['83178', '83178', '81370', '82274']); // cents; sum 330000
    expect(parts.reduce((a, c) => a + BigInt(c), 0n)).toBe(330000n);
  });

  test('declared partner shares on a deal override credit; the rest is internal', async () => {
    await fx.wh.run(`update core.opportunities set attributes = '{"partner_shares": {"RS": 0.3, "RF": 0.2}}' where opportunity_id = 'O2'`);
    try {
      const d = await createPayoutStatement(fx.wh, { period: '2026-Q3', configDir: fx.configDir });
      // R3 invoiced 1,250.00 x 30% = 375.00 for RS; booking 1,250.00 x 20% = 250.00 for RF.
      expect(brief(d, 'RS')?.[1]?.slice(0, 5)).toEqual(['accrual', 'O2', '1250.00', '0.300000', '375.00']);
      expect(brief(d, 'RF')?.[0]?.slice(0, 5)).toEqual(['accrual', 'O2', '1250.00', '0.200000', '250.00']);
    } finally {
      await fx.wh.run(`update core.opportunities set attributes = '{}' where opportunity_id = 'O2'`);
    }
  });

  describe('failures', () => {
    test('a bad plan names the file and the key path', () => {
      const dir = join(fx.dir, 'bad');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'payouts.yaml'), `plans:\n  resellers:\n    basis: attributed\n    rate: 1.5\n    tiers: { mode: steps, bands: [] }\n`);
      expect(() => loadPayoutConfig(dir)).toThrow(/payouts\.yaml: plans\.resellers\.rate: expected a rate between 0 and 1/);
      expect(() => loadPayoutConfig(dir)).toThrow(/plans\.resellers\.tiers\.mode/);
      // Cross-field rules are checked once the fields themselves are valid.
      writeFileSync(join(dir, 'payouts.yaml'), `plans:\n  resellers:\n    basis: attributed\n    rate: 0.1\n    applies_to: { tier: gold, partner_type: reseller }\n`);
      expect(() => loadPayoutConfig(dir)).toThrow(/plans\.resellers\.applies_to: name exactly one of/);
      writeFileSync(join(dir, 'payouts.yaml'), `plans:\n  resellers:\n    basis: attributed\n    rate: 0.1\n`);
      expect(() => loadPayoutConfig(dir)).toThrow(/bad\/payouts\.yaml: plans\.resellers\.model: basis `attributed` needs the attribution `model`/);
    });

    test('a plan reading a model that never ran says how to fix it', async () => {
      const cfg = loadPayoutConfig(fx.configDir);
      const plans = cfg.plans.map((p) => (p.name === 'default' ? { ...p, model: 'first_touch' } : p));
      await expect(createPayoutStatement(fx.wh, { period: '2026-Q3', config: { ...cfg, plans } })).rejects.toThrow(
        /attribution model "first_touch", which has no successful run. Run `jointly attribute --model first_touch`/,
      );
    });

    test('a bad period and an unknown partner are refused', async () => {
      await expect(createPayoutStatement(fx.wh, { period: '2026-Q7', configDir: fx.configDir })).rejects.toThrow(/2026-Q3/);
      await expect(getPayoutStatement(fx.wh, { period: '2026-Q3', partnerId: 'NOPE' })).rejects.toThrow(/No partner "NOPE"/);
      await expect(getPayoutStatement(fx.wh, { period: '2025-Q1' })).rejects.toThrow(/jointly payouts --period 2025-Q1/);
    });
  });
});
