/**
 * Alerts: unusual engagement per partner and per (partner, activity type), month by month,
 * against the series' own history and robust to seasonality.
 *
 * For series s (a partner's touches, or its touches of one activity type) in complete month m:
 * - other_m = touches of every other partner in m (leave-one-out programme total; it carries the
 *   seasonality and the trend every partner shares).
 * - For each of the previous `history_months` months h since the series began, the implied
 *   value of m is value_h / other_h × other_m (the partner's share of engagement, carried to m).
 * - expected = median of the implied values; sigma = max(1.4826 × MAD, sqrt(expected)) (never
 *   tighter than Poisson noise); range = expected ± threshold × sigma.
 * - An alert needs at least `min_history_months` months of history, expected ≥ `min_expected`,
 *   the value outside the range and a Poisson tail probability below `max_p_value`.
 * Each alert lists the accounts engaged that month and, for drops, the accounts engaged in the
 * three months before but not this one.
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql } from '../warehouse/index.js';
import type { EngagementConfig } from './config.js';
import { poissonTail } from './poisson-tail.js';

/**
 * Inserts model.engagement_alerts for `runId` (needs prepareEngagementFacts); returns the count.
 *
 * @example
 * await detectAlerts(wh, { runId, cfg })
 */
export async function detectAlerts(wh: Warehouse, args: { runId: number; cfg: EngagementConfig }): Promise<number> {
  const a = args.cfg.alerts;
  await wh.run(sql`create or replace temp table eng_alert_cand as
    with pt as (
      select distinct touchpoint_id, partner_id, activity_type, account_id, date_trunc('month', occurred_at)::DATE as month
      from eng_touch, eng_asof x
      where partner_id is not null and occurred_at < x.data_month
    ),
    series as (
      select 'partner' as grain, partner_id, null::VARCHAR as activity_type, min(month) as first_month from pt group by partner_id
      union all
      select 'partner_activity_type', partner_id, activity_type, min(month) from pt where activity_type is not null group by partner_id, activity_type
    ),
    months as (
      select s.*, m.month::DATE as month
      from series s, eng_asof x,
        generate_series(s.first_month::TIMESTAMP, x.data_month::TIMESTAMP - interval 1 month, interval 1 month) m(month)
    ),
    counts as (
      select 'partner' as grain, partner_id, null::VARCHAR as activity_type, month, count(distinct touchpoint_id) as value
      from pt group by partner_id, month
      union all
      select 'partner_activity_type', partner_id, activity_type, month, count(distinct touchpoint_id)
      from pt where activity_type is not null group by partner_id, activity_type, month
    ),
    totals as (
      select month, count(distinct touchpoint_id) as total from pt group by month
    ),
    partner_counts as (
      select partner_id, month, count(distinct touchpoint_id) as value from pt group by partner_id, month
    ),
    filled as (
      select m.grain, m.partner_id, m.activity_type, m.month, coalesce(c.value, 0)::DOUBLE as value,
        (coalesce(t.total, 0) - coalesce(pc.value, 0))::DOUBLE as other_total
      from months m
      left join counts c on c.grain = m.grain and c.partner_id = m.partner_id
        and c.activity_type is not distinct from m.activity_type and c.month = m.month
      left join totals t on t.month = m.month
      left join partner_counts pc on pc.partner_id = m.partner_id and pc.month = m.month
    ),
    hist as (
      select f.grain, f.partner_id, f.activity_type, f.month, f.value, f.other_total,
        h.value / nullif(h.other_total, 0) * f.other_total as implied, h.other_total as h_total
      from filled f
      join filled h on h.grain = f.grain and h.partner_id = f.partner_id
        and h.activity_type is not distinct from f.activity_type
        and h.month >= f.month - to_months(${a.history_months}::INTEGER) and h.month < f.month
      where h.other_total > 0
    ),
    stats as (
      select grain, partner_id, activity_type, month, any_value(value) as value, count(*)::INTEGER as history_months,
        median(implied) as expected, coalesce(mad(implied), 0) as mad,
        any_value(other_total) / nullif(median(h_total), 0) as seasonal_index
      from hist
      group by grain, partner_id, activity_type, month
    ),
    scored as (
      select *, greatest(1.4826 * mad, sqrt(expected)) as sigma
      from stats
      where history_months >= ${a.min_history_months} and expected >= ${a.min_expected}::DOUBLE
    )
    select grain || '|' || partner_id || '|' || coalesce(activity_type, '') || '|' || month as id,
      grain, partner_id, activity_type, month, value, expected,
      greatest(0, expected - ${a.threshold}::DOUBLE * sigma) as expected_low, expected + ${a.threshold}::DOUBLE * sigma as expected_high,
      (value - expected) / sigma as z, history_months, coalesce(seasonal_index, 1.0) as seasonal_index,
      case when value < expected then 'drop' else 'spike' end as direction
    from scored
    where abs(value - expected) > ${a.threshold}::DOUBLE * sigma`);
  const cands = await wh.allJS<{ id: string; value: number; expected: number; direction: 'drop' | 'spike' }>(
    `select id, value, expected, direction from eng_alert_cand`,
  );
  const keep = cands
    .filter((c) => poissonTail({ value: c.value, mean: c.expected, direction: c.direction }) < a.max_p_value)
    .map((c) => c.id);
  await wh.run(sql`insert into model.engagement_alerts
    with kept as (
      select c.* from eng_alert_cand c where list_contains(from_json(${JSON.stringify(keep)}, '["VARCHAR"]'), c.id)
    ),
    acc as (
      select k.id,
        list(distinct t.account_id order by t.account_id) filter (
          where t.occurred_at >= k.month and t.occurred_at < k.month + interval 1 month) as now_accounts,
        list(distinct t.account_id order by t.account_id) filter (
          where t.occurred_at >= k.month - interval 3 month and t.occurred_at < k.month) as before_accounts
      from kept k
      join eng_touch t on t.partner_id = k.partner_id and t.account_id is not null
        and (k.activity_type is null or t.activity_type = k.activity_type)
        and t.occurred_at >= k.month - interval 3 month and t.occurred_at < k.month + interval 1 month
      group by k.id
    )
    select ${args.runId}, k.grain, k.partner_id, k.activity_type, k.month, 'touches', k.direction, k.value, k.expected,
      k.expected_low, k.expected_high, k.z, k.history_months, k.seasonal_index,
      coalesce(coalesce(acc.now_accounts, [])[1:${a.max_accounts}], []),
      coalesce(list_filter(coalesce(acc.before_accounts, []), x -> not list_contains(coalesce(acc.now_accounts, []), x))[1:${a.max_accounts}], [])
    from kept k
    left join acc on acc.id = k.id`);
  return keep.length;
}
