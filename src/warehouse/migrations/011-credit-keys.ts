/**
 * Attribution credits stored narrow: `model.credit_rows` holds integer keys only (the opportunity
 * and touch versions by their core `row_key`, the partner and the rule through two small
 * dictionaries) and the credit in cents. `model.credits` becomes a view with the columns it always
 * had (ids, channel, touch type, time, weight, pipeline/revenue credit as DECIMAL(18,2), rule), so
 * readers are unchanged; writers go through the attribution domain (`writeCreditRows`).
 *
 * Why: at 10M touches writing the wide rows (six VARCHAR columns and a rule text per row) cost
 * ~9 s per run against ~0.8 s for the keys (measured on bench/data/attribution-large.duckdb).
 * A touch's key names the version the run credited: a later reload that replaces the touch moves
 * that version to core.touchpoints_history with its key, and the view still finds it there.
 *
 * An existing wide `model.credits` table is converted: ids are matched to the current versions.
 */
import type { Migration } from './types.js';

/** The purpose of a credit row `c` as the views show it. */
export const CREDIT_PURPOSE_COLUMN = `case c.purpose when 0 then 'pipeline' else 'revenue' end as purpose`;

/** The money columns of a credit row `c` as the views show them (exact DECIMAL from cents). */
export const CREDIT_MONEY_COLUMNS = `case when c.purpose = 0 then (c.cents::DECIMAL(18,0) * 0.01)::DECIMAL(18,2) else 0::DECIMAL(18,2) end as pipeline_credit,
    case when c.purpose = 1 then (c.cents::DECIMAL(18,0) * 0.01)::DECIMAL(18,2) else 0::DECIMAL(18,2) end as revenue_credit`;

/** Every version of every opportunity by its row key (current rows and history), joined as `o`. */
export const OPPORTUNITY_VERSIONS_JOIN = `left join (
    select row_key, opportunity_id from core.opportunities
    union all
    select row_key, opportunity_id from core.opportunities_history where row_key is not null
  ) o on o.row_key = c.opp_key`;

export const CREDITS_VIEW_SQL = `create or replace view model.credits as
  select c.run_id, o.opportunity_id, ${CREDIT_PURPOSE_COLUMN},
    t.touchpoint_id, p.partner_id, t.activity_id, t.channel, t.touch_type, t.occurred_at, c.weight, ${CREDIT_MONEY_COLUMNS}, r.rule
  from model.credit_rows c
  join model.credit_rules r on r.rule_id = c.rule_id
  ${OPPORTUNITY_VERSIONS_JOIN}
  left join (
    select row_key, touchpoint_id, activity_id, channel, touch_type, occurred_at from core.touchpoints
    union all
    select row_key, touchpoint_id, activity_id, channel, touch_type, occurred_at from core.touchpoints_history where row_key is not null
  ) t on t.row_key = c.touch_key
  left join model.credit_partners p on p.partner_key = c.partner_key`;

export const creditKeys: Migration = {
  version: 11,
  name: 'attribution: credits stored as keys (model.credit_rows, credit_rules, credit_partners); model.credits becomes a view',
  async up(wh) {
    await wh.run(`create table if not exists model.credit_rows (
      run_id INTEGER not null,
      opp_key BIGINT not null,
      purpose UTINYINT not null,
      touch_key BIGINT,
      partner_key INTEGER,
      weight DOUBLE not null,
      cents BIGINT not null,
      rule_id INTEGER not null
    )`);
    await wh.run(`create table if not exists model.credit_rules (rule_id INTEGER not null, rule VARCHAR not null)`);
    await wh.run(`create table if not exists model.credit_partners (partner_key INTEGER not null, partner_id VARCHAR not null)`);
    const wide = await wh.all<{ n: number }>(`select count(*)::INTEGER as n from information_schema.tables
      where table_schema = 'model' and table_name = 'credits' and table_type = 'BASE TABLE'`);
    if (Number(wide[0]?.n ?? 0) > 0) {
      await wh.run(`insert into model.credit_partners
        select row_number() over (order by partner_id)::INTEGER, partner_id
        from (select distinct partner_id from model.credits where partner_id is not null)`);
      await wh.run(`insert into model.credit_rules
        select row_number() over (order by rule)::INTEGER, rule from (select distinct rule from model.credits)`);
      await wh.run(`insert into model.credit_rows
        select c.run_id, o.row_key, case c.purpose when 'pipeline' then 0 else 1 end, t.row_key, p.partner_key, c.weight,
          ((c.pipeline_credit + c.revenue_credit) * 100)::BIGINT, r.rule_id
        from model.credits c
        join core.opportunities o on o.opportunity_id = c.opportunity_id
        left join core.touchpoints t on t.touchpoint_id = c.touchpoint_id
        left join model.credit_partners p on p.partner_id = c.partner_id
        join model.credit_rules r on r.rule = c.rule`);
      await wh.run(`drop table model.credits`);
    }
    await wh.run(CREDITS_VIEW_SQL);
  },
};
