/**
 * The attribution contract, checked in SQL after every run: per opportunity and purpose the
 * weights sum to 1 and the credits add up to the base amount to the cent; every opportunity has
 * pipeline rows and every won one revenue rows; no weight is negative. A broken invariant is an
 * INVARIANT_BROKEN error naming the first offenders. The credits are read once (grouped).
 */
import { JointlyError } from '../core/index.js';
import type { Warehouse } from '../warehouse/index.js';
import { sql } from '../warehouse/index.js';

/** Credited totals of a run, as decimal strings (from the same grouped pass as the checks). */
export type CreditedTotals = {
  credited_pipeline_total: string;
  credited_revenue_total: string;
};

/**
 * Checks the contract from one grouped pass over the run's credits (kept as `att_sums`, one row
 * per opportunity and purpose) and returns the credited totals from those sums, so the run
 * summary does not scan the credits again.
 *
 * @example await checkCreditInvariants(wh, 7) // throws INVARIANT_BROKEN when broken
 */
export async function checkCreditInvariants(wh: Warehouse, runId: number): Promise<CreditedTotals> {
  // Keys and cents only (model.credit_rows): the contract needs no id or text.
  await wh.run(sql`create or replace temp table att_sums as
    select opp_key, purpose, sum(weight) as w, sum(cents) as credited, min(weight) as min_w
    from model.credit_rows
    where run_id = ${runId}
    group by opp_key, purpose`);
  const bad = await wh.all<{ opportunity_id: string; purpose: string; problem: string }>(sql`
    with offenders as (
      select coalesce(d.opp_key, s.opp_key) as opp_key, coalesce(d.purpose, s.purpose) as purpose,
        case
          when s.opp_key is null then 'no credit rows'
          when d.opp_key is null then 'credit rows for an opportunity that is not due'
          when abs(s.w - 1) > 1e-9 then 'weights sum to ' || s.w
          when s.credited <> d.cents then 'credits ' || (s.credited / 100) || ' <> amount ' || (d.cents / 100)
          when s.min_w < 0 then 'negative weight'
        end as problem
      from att_due d
      full join att_sums s on s.opp_key = d.opp_key and s.purpose = d.purpose
      where s.opp_key is null or d.opp_key is null or abs(s.w - 1) > 1e-9
        or s.credited <> d.cents or s.min_w < 0
      limit 5
    )
    select coalesce(o.opportunity_id, 'key ' || f.opp_key) as opportunity_id,
      case f.purpose when 0 then 'pipeline' else 'revenue' end as purpose, f.problem
    from offenders f
    left join att_opp o on o.opp_key = f.opp_key`);
  if (bad.length > 0) {
    throw new JointlyError(
      'INVARIANT_BROKEN',
      `Attribution run ${runId} broke the credit contract: ` +
        bad.map((b) => `${b.opportunity_id}/${b.purpose}: ${b.problem}`).join('; ') +
        '. Nothing was kept; please report this with the run parameters.',
      { details: { runId, offenders: bad } },
    );
  }
  const totals = await wh.all<CreditedTotals>(`select
      (coalesce(sum(credited) filter (where purpose = 0), 0)::DECIMAL(38,0) * 0.01)::DECIMAL(18,2)::VARCHAR as credited_pipeline_total,
      (coalesce(sum(credited) filter (where purpose = 1), 0)::DECIMAL(38,0) * 0.01)::DECIMAL(18,2)::VARCHAR as credited_revenue_total
    from att_sums`);
  await wh.run('drop table if exists att_sums');
  const t = totals[0];
  if (!t) throw new JointlyError('INTERNAL', 'Credit totals query returned no row.');
  return t;
}
