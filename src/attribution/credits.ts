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
import { sql, raw } from '../warehouse/index.js';
import { JointlyError } from '../core/index.js';
import type { ModelSql } from './models/index.js';

/**
 * Splits a model's weights between partners and floors them to cents into the temp tables
 * `att_split`, `att_spare` and `att_extra` (which rows earn a spare cent); built outside the
 * run's transaction, written by writeCredits inside it.
 *
 * The rule of a row is its text (`rule`) or, for a model with keyed rules, its key (`rule_key`);
 * `att_rule_map` then gives each distinct (rule or key, partner share) its final text once.
 *
 * @example
 * await splitCredits(wh, { model });
 */
export async function splitCredits(wh: Warehouse, opts: { model: ModelSql }): Promise<void> {
  const { model } = opts;
  const ruleCols = model.ruleText ? sql`null::VARCHAR as rule, w.rule_key` : sql`w.rule, null::BIGINT as rule_key`;
  // Split and floor once into a temp table; the spare cents per (opportunity, purpose) come from
  // a grouped pass, and only groups with spare cents go through the ranking window (a model
  // with one row per opportunity, or a split that floors exactly, skips the sort entirely).
  await wh.run(sql`create or replace temp table att_split as
    with w as (${model.select}),
    split as (
      select w.opp_key, w.purpose, w.touch_key, w.touchpoint_id, w.occurred_at, w.channel, w.touch_type, w.activity_id,
        coalesce(s.partner_id, w.partner_id) as partner_id,
        w.weight * coalesce(s.share, 1.0) as weight, ${ruleCols}, s.share
      from w
      left join att_partner_shares s on s.activity_id = w.activity_id
    ),
    scaled as (
      select split.*, o.cents as amount_cents, round(abs(o.cents) * split.weight, 6) as exact_cents
      from split
      join att_opp o on o.opp_key = split.opp_key
      where split.weight > 0
    )
    select scaled.* exclude (exact_cents), floor(exact_cents)::BIGINT as base_cents, exact_cents - floor(exact_cents) as frac
    from scaled`);
  await wh.run(`create or replace temp table att_spare as
    select opp_key, purpose, abs(any_value(amount_cents)) - sum(base_cents) as spare_cents
    from att_split
    group by opp_key, purpose
    having abs(any_value(amount_cents)) - sum(base_cents) <> 0`);
  // The ranking window sorts only the keys (and the temp table's rowid) of groups with spare
  // cents and keeps the rows that earn one; the wide columns (rule text) never pass the sort.
  await wh.run(`create or replace temp table att_extra as
    select r
    from (
      select s.rowid as r, sp.spare_cents,
        row_number() over (partition by s.opp_key, s.purpose
          order by s.frac desc, s.occurred_at, s.touchpoint_id, s.partner_id nulls first) as rn
      from att_split s
      join att_spare sp on sp.opp_key = s.opp_key and sp.purpose = s.purpose
    )
    where rn <= spare_cents`);
  // The rule text of a split row names the partner's share; texts are built once per distinct
  // (rule or key, share), never per row.
  const text = model.ruleText ? model.ruleText(sql`rule_key`) : sql`rule`;
  await wh.run(sql`create or replace temp table att_rule_map as
    select rule, rule_key, share, case when share is null then base
        else base || ' (split ' || round(100 * share, 1) || '% to this partner of the joint activity)' end as text
    from (select rule, rule_key, share, ${text} as base from (select distinct rule, rule_key, share from att_split))`);
}

/**
 * The cents a row of att_split (alias `s`) is credited: its floor plus the spare cent when att_extra
 * (alias `x`, left-joined on `x.r = s.rowid`) holds it, with the amount's sign. Report facts sum the same.
 */
export const SPLIT_CENTS_SQL = 'sign(s.amount_cents) * (s.base_cents + case when x.r is null then 0 else 1 end)';

/** The rule of opportunities without an eligible touch. */
export const UNATTRIBUTED_RULE = 'unattributed: no eligible touch in the window';

/**
 * Adds the rule texts (`rules`: a query of distinct `rule`) and partner ids (`partners`: distinct,
 * non-null `partner_id`) that the dictionaries do not hold yet, with new ids after the largest, so
 * every text has one id for good.
 */
async function extendDictionaries(wh: Warehouse, from: { rules: string; partners: string }): Promise<void> {
  await wh.run(`insert into model.credit_rules
    select (select coalesce(max(rule_id), 0) from model.credit_rules) + row_number() over (order by n.rule)::INTEGER, n.rule
    from (${from.rules}) n
    anti join model.credit_rules r on r.rule = n.rule`);
  await wh.run(`insert into model.credit_partners
    select (select coalesce(max(partner_key), 0) from model.credit_partners) + row_number() over (order by n.partner_id)::INTEGER, n.partner_id
    from (${from.partners}) n
    anti join model.credit_partners p on p.partner_id = n.partner_id`);
}

/**
 * Writes the rows prepared by splitCredits into `model.credit_rows` (keys and cents; the rule and
 * partner through their dictionaries) plus one `unattributed` row per due opportunity without an
 * eligible touch. `att_split` and `att_extra` stay for the report facts (dropEligibility drops them).
 *
 * @example
 * await splitCredits(wh, { model }); await writeCredits(wh, { runId: 7 });
 */
export async function writeCredits(wh: Warehouse, opts: { runId: number }): Promise<void> {
  await extendDictionaries(wh, {
    rules: `select distinct text as rule from att_rule_map union select '${UNATTRIBUTED_RULE}'`,
    partners: `select distinct partner_id from att_split where partner_id is not null`,
  });
  // The rule id of each (rule or key, share), then one plain equi-join per row (null-safe
  // comparisons and a join on the text per row cost ~5 s at 9M rows).
  await wh.run(`create or replace temp table att_rule_ids as
    select coalesce(m.rule, '') as rule, coalesce(m.rule_key, -1) as rule_key, coalesce(m.share, -1) as share, r.rule_id
    from att_rule_map m
    join model.credit_rules r on r.rule = m.text`);
  await wh.run(sql`insert into model.credit_rows (run_id, opp_key, purpose, touch_key, partner_key, weight, cents, rule_id)
    select ${opts.runId}::INTEGER, s.opp_key, s.purpose, s.touch_key, p.partner_key, s.weight,
      ${raw(SPLIT_CENTS_SQL)}, m.rule_id
    from att_split s
    left join att_extra x on x.r = s.rowid
    join att_rule_ids m on m.rule = coalesce(s.rule, '') and m.rule_key = coalesce(s.rule_key, -1) and m.share = coalesce(s.share, -1)
    left join model.credit_partners p on p.partner_id = s.partner_id`);
  await wh.run('drop table if exists att_rule_ids');
  await wh.run('drop table if exists att_rule_map');
  await wh.run(sql`insert into model.credit_rows (run_id, opp_key, purpose, touch_key, partner_key, weight, cents, rule_id)
    with touched as (
      select distinct opp_key, purpose from att_split
    )
    select ${opts.runId}, d.opp_key, d.purpose, null, null, 1.0, d.cents,
      (select rule_id from model.credit_rules where rule = ${UNATTRIBUTED_RULE})
    from att_due d
    anti join touched c on c.opp_key = d.opp_key and c.purpose = d.purpose`);
}

/**
 * Stores credits given in the wide shape of the `model.credits` view — a select with run_id,
 * opportunity_id, purpose, touchpoint_id, partner_id, weight, pipeline_credit, revenue_credit and
 * rule — for credits computed outside a run (fixtures, benchmarks, imported corrections).
 * Opportunities and touches are matched to their current versions in core; an id core does not
 * hold is an error (a credit must point at a row).
 *
 * @example
 * await writeCreditRows(wh, `select 7 as run_id, 'O1' as opportunity_id, 'pipeline' as purpose, 'T1' as touchpoint_id,
 *   'P1' as partner_id, 1.0 as weight, 100.00 as pipeline_credit, 0 as revenue_credit, 'linear' as rule`);
 */
export async function writeCreditRows(wh: Warehouse, rows: string): Promise<void> {
  await wh.run(`create or replace temp table att_given as ${rows}`);
  try {
    const missing = await wh.all<{ what: string }>(`
      select 'opportunity ' || g.opportunity_id as what from att_given g
      anti join core.opportunities o on o.opportunity_id = g.opportunity_id
      union all
      select 'touchpoint ' || g.touchpoint_id from att_given g
      anti join core.touchpoints t on t.touchpoint_id = g.touchpoint_id
      where g.touchpoint_id is not null
      limit 5`);
    if (missing.length > 0) {
      throw new JointlyError('BAD_ARGUMENT', `Credits name rows that are not in core: ${missing.map((m) => m.what).join(', ')}.`);
    }
    await extendDictionaries(wh, {
      rules: `select distinct rule from att_given`,
      partners: `select distinct partner_id from att_given where partner_id is not null`,
    });
    await wh.run(`insert into model.credit_rows (run_id, opp_key, purpose, touch_key, partner_key, weight, cents, rule_id)
      select g.run_id, o.row_key, case g.purpose when 'pipeline' then 0 else 1 end, t.row_key, p.partner_key, g.weight,
        ((g.pipeline_credit + g.revenue_credit) * 100)::BIGINT, r.rule_id
      from att_given g
      join core.opportunities o on o.opportunity_id = g.opportunity_id
      left join core.touchpoints t on t.touchpoint_id = g.touchpoint_id
      left join model.credit_partners p on p.partner_id = g.partner_id
      join model.credit_rules r on r.rule = g.rule`);
  } finally {
    await wh.run('drop table if exists att_given');
  }
}

/**
 * Deletes the credits of one run (the dictionaries keep their entries: they are shared by runs).
 *
 * @example await deleteCreditRows(wh, 7);
 */
export async function deleteCreditRows(wh: Warehouse, runId: number): Promise<void> {
  await wh.run(sql`delete from model.credit_rows where run_id = ${runId}`);
}
