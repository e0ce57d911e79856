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
  await wh.run(sql`create or replace temp table att_sums as
    select opportunity_id, purpose, sum(weight) as w, sum(pipeline_credit) as pipeline, sum(revenue_credit) as revenue,
      sum(pipeline_credit + revenue_credit) as credited, min(weight) as min_w
    from model.credits
    where run_id = ${runId}
    group by opportunity_id, purpose`);
  const bad = await wh.all<{ opportunity_id: string; purpose: string; problem: string }>(sql`
    with sums as (
      select * from att_sums
    ),
    due as (
      select opportunity_id, 'pipeline' as purpose, cents from att_opp
      union all
      select opportunity_id, 'revenue', cents from att_opp where is_won
    )
    select coalesce(d.opportunity_id, s.opportunity_id) as opportunity_id, coalesce(d.purpose, s.purpose) as purpose,
      case
        when s.opportunity_id is null then 'no credit rows'
        when d.opportunity_id is null then 'credit rows for an opportunity that is not due'
        when abs(s.w - 1) > 1e-9 then 'weights sum to ' || s.w
        when (s.credited * 100)::BIGINT <> d.cents then 'credits ' || s.credited || ' <> amount ' || (d.cents / 100)
        when s.min_w < 0 then 'negative weight'
      end as problem
    from due d
    full join sums s on s.opportunity_id = d.opportunity_id and s.purpose = d.purpose
    where s.opportunity_id is null or d.opportunity_id is null or abs(s.w - 1) > 1e-9
      or (s.credited * 100)::BIGINT <> d.cents or s.min_w < 0
    limit 5`);
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
      coalesce(sum(pipeline), 0)::DECIMAL(18,2)::VARCHAR as credited_pipeline_total,
      coalesce(sum(revenue), 0)::DECIMAL(18,2)::VARCHAR as credited_revenue_total
    from att_sums`);
  await wh.run('drop table if exists att_sums');
  const t = totals[0];
  if (!t) throw new JointlyError('INTERNAL', 'Credit totals query returned no row.');
  return t;
}
