/**
 * MDF (market development funds): budgets per partner and period, claims against joint
 * activities. A claim is payable when it is approved (or paid), its activity exists and names the
 * partner, and the partner's budget for the budget period containing `submitted_at` has money
 * left; claims draw on the budget first come, first served (submitted_at, then claim_id), and the
 * last one may be paid in part. Pure: the caller passes the activities' partners.
 *
 * @example
 * evaluateMdfClaims(cfg.mdf, new Map([['ACT1', new Set(['P1'])]]))
 * // => [{ claim_id: 'C1', payable_cents: 30000n, rule: 'MDF claim C1 on activity ACT1 (budget 2026-Q3)', ... }]
 */
import { toMinor } from '../core/index.js';
import type { PayoutConfigFile } from './payout-config.js';
import { parsePeriod } from './period.js';

export interface MdfClaimResult {
  claim_id: string;
  partner_id: string;
  activity_id: string;
  submitted_at: string;
  status: string;
  budget_period: string | null;
  claimed_cents: bigint;
  payable_cents: bigint;
  rule: string;
}

export function evaluateMdfClaims(mdf: PayoutConfigFile['mdf'], activityPartners: ReadonlyMap<string, ReadonlySet<string>>): MdfClaimResult[] {
  const used = new Map<string, bigint>();
  const ordered = [...mdf.claims].sort((a, b) =>
    a.submitted_at === b.submitted_at ? (a.claim_id < b.claim_id ? -1 : 1) : a.submitted_at < b.submitted_at ? -1 : 1,
  );
  return ordered.map((c) => {
    const budget = mdf.budgets.find((b) => {
      if (b.partner_id !== c.partner_id) return false;
      const bp = parsePeriod(b.period);
      return c.submitted_at >= bp.start && c.submitted_at <= bp.end;
    });
    const partners = activityPartners.get(c.activity_id);
    const claimed = toMinor(c.amount);
    let payable = 0n;
    let rule: string;
    if (c.status !== 'approved' && c.status !== 'paid') rule = `MDF claim ${c.claim_id} is ${c.status}: nothing payable`;
    else if (!partners) rule = `MDF claim ${c.claim_id}: activity ${c.activity_id} is not in the warehouse`;
    else if (!partners.has(c.partner_id)) rule = `MDF claim ${c.claim_id}: partner is not on activity ${c.activity_id}`;
    else if (!budget) rule = `MDF claim ${c.claim_id}: no MDF budget for the partner in that period`;
    else {
      const key = `${budget.partner_id}|${budget.period}`;
      const left = toMinor(budget.amount) - (used.get(key) ?? 0n);
      payable = claimed < left ? claimed : left > 0n ? left : 0n;
      used.set(key, (used.get(key) ?? 0n) + payable);
      rule =
        payable === claimed
          ? `MDF claim ${c.claim_id} on activity ${c.activity_id} (budget ${budget.period})`
          : `MDF claim ${c.claim_id}: limited to the ${budget.period} budget left`;
    }
    return {
      claim_id: c.claim_id,
      partner_id: c.partner_id,
      activity_id: c.activity_id,
      submitted_at: c.submitted_at,
      status: c.status,
      budget_period: budget?.period ?? null,
      claimed_cents: claimed,
      payable_cents: payable,
      rule,
    };
  });
}
