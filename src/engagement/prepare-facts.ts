/**
 * Connection-local temp tables every engagement step reads, built set-wise in DuckDB:
 * - `eng_asof` (one row): `data_end` = the day after the newest touch, usage or opportunity
 *   (exclusive end of the data), `data_month` = first day of that month (earlier months are complete).
 * - `eng_shares`: partner shares of multi-partner activities (declared `partner_shares` in the
 *   activity's attributes, else equal), the same rule as attribution.
 * - `eng_touch`: one row per (touch, partner share): account resolved through contacts and
 *   account aliases, the activity type, engaged seconds and share consumed.
 * - `eng_customer`: accounts with a won new-business deal, their sale date and the usage
 *   components (onboarding, adoption, recurring usage).
 * - `eng_customer_link`: which partners, activities and activity types brought each customer
 *   (sourced/registered partner, or a partner touch within `customer_lookback_days` before the sale).
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql } from '../warehouse/index.js';
import type { EngagementConfig } from './config.js';
import { PARTNER_SHARES_SQL } from '../attribution/index.js';

/** @example await prepareEngagementFacts(wh, loadEngagementConfig()) */
export async function prepareEngagementFacts(wh: Warehouse, cfg: EngagementConfig): Promise<void> {
  await wh.run(`create or replace temp table eng_asof as
    with m as (
      select max(occurred_at) as t from core.touchpoints
      union all select max(occurred_at) from core.usage
      union all select max(created_at) from core.opportunities
    )
    select (max(t)::DATE + 1) as data_end, date_trunc('month', max(t)::DATE + 1)::DATE as data_month from m`);
  await wh.run(`create or replace temp table eng_shares as ${PARTNER_SHARES_SQL}`);
  await wh.run(`create or replace temp table eng_touch as
    with t as (
      select t.touchpoint_id, t.occurred_at, t.channel, t.touch_type, t.activity_id,
        t.engaged_seconds, t.content_pct, t.partner_id as touch_partner_id,
        coalesce(al.account_id, t.account_id, c.account_id) as account_id,
        a.activity_type, a.partner_ids
      from core.touchpoints t
      left join core.contacts c on c.contact_id = t.contact_id
      left join core.account_aliases al on al.alias_id = coalesce(t.account_id, c.account_id)
      left join core.activities a on a.activity_id = t.activity_id
    )
    select t.touchpoint_id, t.occurred_at, t.channel, t.touch_type, t.activity_id, t.activity_type,
      t.engaged_seconds, t.content_pct, t.account_id,
      coalesce(s.partner_id, t.touch_partner_id, t.partner_ids[1]) as partner_id,
      coalesce(s.share, 1.0) as share
    from t
    left join eng_shares s on s.activity_id = t.activity_id`);
  const onboardingDays = cfg.score.targets.onboarding_days;
  await wh.run(sql`create or replace temp table eng_customer as
    with sale as (
      select o.account_id, min(o.close_date) as sale_date
      from core.opportunities o, eng_asof x
      where o.is_won and o.type = 'new_business' and o.close_date is not null and o.close_date < x.data_end
      group by o.account_id
    ),
    catalogue as (
      select count(distinct event)::DOUBLE as events from core.usage
    ),
    used as (
      select s.account_id, s.sale_date,
        count(u.event) filter (where u.occurred_at >= s.sale_date
          and u.occurred_at < s.sale_date + to_days(${onboardingDays}::INTEGER)) as onboarding_events,
        count(distinct u.event) filter (where u.occurred_at >= s.sale_date) as events_used,
        count(distinct date_trunc('month', u.occurred_at)) filter (
          where u.occurred_at >= date_trunc('month', s.sale_date) + interval 1 month
            and u.occurred_at < x.data_month) as months_used,
        datediff('month', date_trunc('month', s.sale_date) + interval 1 month, x.data_month) as months_elapsed,
        x.data_end
      from sale s
      cross join eng_asof x
      left join core.usage u on u.account_id = s.account_id
      group by s.account_id, s.sale_date, x.data_month, x.data_end
    )
    select account_id, sale_date,
      case when sale_date + to_days(${onboardingDays}::INTEGER) <= data_end
        then (onboarding_events > 0)::INTEGER::DOUBLE end as onboarding,
      case when c.events > 0 then events_used / c.events end as adoption,
      case when months_elapsed > 0 then least(1.0, months_used / months_elapsed) end as recurring_usage
    from used, catalogue c`);
  await wh.run(sql`create or replace temp table eng_customer_link as
    select distinct c.account_id, t.partner_id, t.activity_id, t.activity_type
    from eng_customer c
    join eng_touch t on t.account_id = c.account_id
    where t.partner_id is not null
      and t.occurred_at >= c.sale_date - to_days(${cfg.attribution.customer_lookback_days}::INTEGER)
      and t.occurred_at < c.sale_date + interval 1 day
    union
    select distinct c.account_id, unnest([o.sourced_partner_id, o.registered_partner_id]) as partner_id,
      null::VARCHAR as activity_id, null::VARCHAR as activity_type
    from eng_customer c
    join core.opportunities o on o.account_id = c.account_id and o.is_won and o.type = 'new_business'
      and o.close_date = c.sale_date`);
  await wh.run(`delete from eng_customer_link where partner_id is null`);
}
