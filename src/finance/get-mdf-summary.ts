/**
 * MDF summary for `jointly mdf` and the API: each budget with what was claimed, what is payable and
 * what is left, and every claim with its outcome (evaluate-mdf-claims.ts has the rules).
 */
import { JointlyError, fromMinor, toMinor } from '../core/index.js';
import type { Warehouse } from '../warehouse/index.js';
import { loadActivityPartners } from './compute-payouts.js';
import { evaluateMdfClaims } from './evaluate-mdf-claims.js';
import { loadPayoutConfig, type PayoutConfig } from './payout-config.js';
import { parsePeriod } from './period.js';

export interface MdfBudgetRow {
  partner_id: string;
  period: string;
  budget: string;
  claimed: string;
  payable: string;
  remaining: string;
}

export interface MdfClaimRow {
  claim_id: string;
  partner_id: string;
  activity_id: string;
  submitted_at: string;
  status: string;
  claimed: string;
  payable: string;
  rule: string;
}

/**
 * @example
 * const { budgets, claims } = await getMdfSummary(wh, { period: '2026-Q3' });
 */
export async function getMdfSummary(
  wh: Warehouse,
  opts: { period?: string | undefined; partnerId?: string | undefined; configDir?: string | undefined; config?: PayoutConfig | undefined },
): Promise<{ budgets: MdfBudgetRow[]; claims: MdfClaimRow[] }> {
  const config = opts.config ?? loadPayoutConfig(opts.configDir);
  const period = opts.period !== undefined ? parsePeriod(opts.period) : undefined;
  if (opts.partnerId !== undefined) {
    await wh.get({ text: 'select partner_id from core.partners where partner_id = $1', values: [opts.partnerId] }, `No partner "${opts.partnerId}" in the warehouse.`);
  }
  const results = evaluateMdfClaims(config.mdf, await loadActivityPartners(wh));
  const inScope = (partner: string, day: string) =>
    (opts.partnerId === undefined || partner === opts.partnerId) && (!period || (day >= period.start && day <= period.end));
  const claims = results
    .filter((c) => inScope(c.partner_id, c.submitted_at))
    .map((c) => ({ claim_id: c.claim_id, partner_id: c.partner_id, activity_id: c.activity_id, submitted_at: c.submitted_at, status: c.status, claimed: fromMinor(c.claimed_cents), payable: fromMinor(c.payable_cents), rule: c.rule }));
  const budgets = config.mdf.budgets
    .filter((b) => {
      const bp = parsePeriod(b.period);
      return (opts.partnerId === undefined || b.partner_id === opts.partnerId) && (!period || (bp.start <= period.end && bp.end >= period.start));
    })
    .map((b) => {
      const mine = results.filter((c) => c.partner_id === b.partner_id && c.budget_period === b.period);
      const claimed = mine.reduce((a, c) => a + c.claimed_cents, 0n);
      const payable = mine.reduce((a, c) => a + c.payable_cents, 0n);
      const budget = toMinor(b.amount);
      return { partner_id: b.partner_id, period: b.period, budget: fromMinor(budget), claimed: fromMinor(claimed), payable: fromMinor(payable), remaining: fromMinor(budget - payable) };
    });
  if (budgets.length === 0 && claims.length === 0 && config.mdf.budgets.length === 0 && config.mdf.claims.length === 0) {
    throw new JointlyError('NO_DATA', `No MDF budgets or claims in ${config.file} (key mdf). Add budgets and claims there.`);
  }
  return { budgets, claims };
}
