/**
 * Writes a model's weights as money into `model.credits`, set-wise:
 * 1. split each touch's weight between the partners of a multi-partner activity (declared
 *    `partner_shares` or equal);
 * 2. turn weights into cents by the largest-remainder rule over each (opportunity, purpose):
 *    floor first, then the spare cents to the largest remainders, ties by (occurred_at,
 *    touchpoint_id, partner_id); the spare comes from a grouped pass and only groups with
 *    spare cents are ranked (one row per opportunity, as first and last touch, never sorts);
 * 3. opportunities with no eligible touch get one `unattributed` row with the whole amount.
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql, raw, type Sql } from '../warehouse/index.js';

/**
 * Splits a model's weights between partners and floors them to cents into the temp tables
 * `att_split`, `att_spare` and `att_extra` (which rows earn a spare cent); built outside the
 * run's transaction, written by writeCredits inside it.
 *
 * @example
 * await splitCredits(wh, { weights: model.select });
 */
export async function splitCredits(wh: Warehouse, opts: { weights: Sql }): Promise<void> {
  // Split and floor once into a temp table; the spare cents per (opportunity, purpose) come from
  // a grouped pass, and only groups with spare cents go through the ranking window (a model
  // with one row per opportunity, or a split that floors exactly, skips the sort entirely).
  await wh.run(sql`create or replace temp table att_split as
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
    scaled as (
      select split.*, o.cents as amount_cents, round(abs(o.cents) * split.weight, 6) as exact_cents
      from split
      join att_opp o on o.opportunity_id = split.opportunity_id
      where split.weight > 0
    )
    select scaled.* exclude (exact_cents), floor(exact_cents)::BIGINT as base_cents, exact_cents - floor(exact_cents) as frac
    from scaled`);
  await wh.run(`create or replace temp table att_spare as
    select opportunity_id, purpose, abs(any_value(amount_cents)) - sum(base_cents) as spare_cents
    from att_split
    group by opportunity_id, purpose
    having abs(any_value(amount_cents)) - sum(base_cents) <> 0`);
  // The ranking window sorts only the keys (and the temp table's rowid) of groups with spare
  // cents and keeps the rows that earn one; the wide columns (rule text) never pass the sort.
  await wh.run(`create or replace temp table att_extra as
    select r
    from (
      select s.rowid as r, sp.spare_cents,
        row_number() over (partition by s.opportunity_id, s.purpose
          order by s.frac desc, s.occurred_at, s.touchpoint_id, s.partner_id nulls first) as rn
      from att_split s
      join att_spare sp on sp.opportunity_id = s.opportunity_id and sp.purpose = s.purpose
    )
    where rn <= spare_cents`);
}

/**
 * Writes the rows prepared by splitCredits into `model.credits` (and the unattributed rows),
 * then drops the temp tables.
 *
 * @example
 * await splitCredits(wh, { weights: model.select }); await writeCredits(wh, { runId: 7 });
 */
export async function writeCredits(wh: Warehouse, opts: { runId: number }): Promise<void> {
  const cols = raw(`run_id, opportunity_id, purpose, touchpoint_id, partner_id, activity_id, channel, touch_type,
    occurred_at, weight, pipeline_credit, revenue_credit, rule`);
  const money = (cents: string) =>
    raw(`case when purpose = 'pipeline' then (${cents})::DECIMAL(18,2) / 100 else 0 end,
      case when purpose = 'revenue' then (${cents})::DECIMAL(18,2) / 100 else 0 end`);
  await wh.run(sql`insert into model.credits (${cols})
    select ${opts.runId}::INTEGER, s.opportunity_id, s.purpose, s.touchpoint_id, s.partner_id, s.activity_id, s.channel,
      s.touch_type, s.occurred_at, s.weight,
      ${money('sign(s.amount_cents) * (s.base_cents + case when x.r is null then 0 else 1 end)')}, s.rule
    from att_split s
    left join att_extra x on x.r = s.rowid`);
  await wh.run('drop table if exists att_extra');
  await wh.run('drop table if exists att_spare');
  await wh.run(sql`insert into model.credits (${cols})
    with due as (
      select opportunity_id, 'pipeline' as purpose, cents from att_opp
      union all
      select opportunity_id, 'revenue', cents from att_opp where is_won
    )
    select ${opts.runId}, d.opportunity_id, d.purpose, null, null, null, null, null, null, 1.0,
      ${money('d.cents')}, 'unattributed: no eligible touch in the window'
    from due d
    anti join att_split c on c.opportunity_id = d.opportunity_id and c.purpose = d.purpose`);
  await wh.run('drop table if exists att_split');
}
