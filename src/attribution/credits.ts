/**
 * Writes a model's weights as money into `model.credits`, set-wise:
 * 1. split each touch's weight between the partners of a multi-partner activity (declared
 *    `partner_shares` or equal);
 * 2. turn weights into cents by the largest-remainder rule over each (opportunity, purpose):
 *    floor first, then the spare cents to the largest remainders, ties by (occurred_at,
 *    touchpoint_id, partner_id) — one window pass computes both the spare and the rank;
 * 3. opportunities with no eligible touch get one `unattributed` row with the whole amount.
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql, raw, type Sql } from '../warehouse/index.js';

/**
 * @example
 * await writeCredits(wh, { runId: 7, weights: model.select });
 */
export async function writeCredits(wh: Warehouse, opts: { runId: number; weights: Sql }): Promise<void> {
  const cols = raw(`run_id, opportunity_id, purpose, touchpoint_id, partner_id, activity_id, channel, touch_type,
    occurred_at, weight, pipeline_credit, revenue_credit, rule`);
  const money = (cents: string) =>
    raw(`case when purpose = 'pipeline' then (${cents})::DECIMAL(18,2) / 100 else 0 end,
      case when purpose = 'revenue' then (${cents})::DECIMAL(18,2) / 100 else 0 end`);
  // One window pass: the spare cents of an opportunity (amount - sum of floors) go to its rows
  // with the largest remainders; the sum and the rank share one partitioning and one sort.
  await wh.run(sql`insert into model.credits (${cols})
    with w as (${opts.weights}),
    split as (
      select w.opportunity_id, w.purpose, w.touchpoint_id, w.occurred_at, w.channel, w.touch_type, w.activity_id,
        coalesce(s.partner_id, w.partner_id) as partner_id,
        w.weight * coalesce(s.share, 1.0) as weight,
        case when s.partner_id is null then w.rule
          else w.rule || ' (split ' || round(100 * s.share, 1) || '% to this partner of the joint activity)' end as rule
      from w
      left join att_partner_shares s on s.activity_id = w.activity_id
    ),
    floored as (
      select split.*, o.cents as amount_cents,
        floor(round(abs(o.cents) * split.weight, 6))::BIGINT as base_cents,
        round(abs(o.cents) * split.weight, 6) - floor(round(abs(o.cents) * split.weight, 6)) as frac
      from split
      join att_opp o on o.opportunity_id = split.opportunity_id
      where split.weight > 0
    ),
    ranked as (
      select floored.*,
        row_number() over lr as rn,
        abs(amount_cents) - sum(base_cents) over (lr rows between unbounded preceding and unbounded following) as spare_cents
      from floored
      window lr as (partition by opportunity_id, purpose order by frac desc, occurred_at, touchpoint_id, partner_id nulls first)
    )
    select ${opts.runId}, opportunity_id, purpose, touchpoint_id, partner_id, activity_id, channel, touch_type,
      occurred_at, weight, ${money('sign(amount_cents) * (base_cents + case when rn <= spare_cents then 1 else 0 end)')}, rule
    from ranked`);
  await wh.run(sql`insert into model.credits (${cols})
    with due as (
      select opportunity_id, 'pipeline' as purpose, cents from att_opp
      union all
      select opportunity_id, 'revenue', cents from att_opp where is_won
    )
    select ${opts.runId}, d.opportunity_id, d.purpose, null, null, null, null, null, null, 1.0,
      ${money('d.cents')}, 'unattributed: no eligible touch in the window'
    from due d
    anti join model.credits c on c.run_id = ${opts.runId} and c.opportunity_id = d.opportunity_id and c.purpose = d.purpose`);
}
