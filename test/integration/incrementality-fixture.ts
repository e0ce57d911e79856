/**
 * A small synthetic company with a planted partner effect, built set-wise in DuckDB with
 * hash-based uniforms (deterministic on any thread count). 3000 accounts over 24 months of 2023-24;
 * larger accounts open more opportunities and are likelier to engage a partner (confounding).
 * Partner p1 (program Alpha) doubles the monthly chance to open an opportunity after the month of
 * engagement; p2 (program Beta) has no effect; p3 engages only 5 accounts. Both worlds are drawn
 * with common random numbers, so the realised incremental amounts are known exactly.
 */
import type { Warehouse } from '../../src/warehouse/index.js';

export interface PlantedTruth {
  unit_kind: 'partner' | 'program';
  unit_id: string;
  revenue: number;
  pipeline: number;
  engaged: number;
}

export async function buildIncrementalityFixture(wh: Warehouse): Promise<PlantedTruth[]> {
  await wh.run(`create or replace macro fx_u(i, tag) as (hash(i::varchar || tag) % 1000003)::double / 1000003`);
  await wh.run(`create or replace temp table fx_acc as
    select i, 'a' || i as account_id, fx_u(i, 'size') as size,
      case when i < 5 then 'p3'
           when fx_u(i, 'eng') < 0.1 + 0.3 * fx_u(i, 'size') then (case when fx_u(i, 'who') < 0.5 then 'p1' else 'p2' end)
      end as partner,
      4 + floor(fx_u(i, 'e') * 14)::integer as e
    from range(3000) t(i)`);
  await wh.run(`insert into core.partners (partner_id, name, partner_type) values
    ('p1', 'Partner One', 'reseller'), ('p2', 'Partner Two', 'referral'), ('p3', 'Partner Three', 'agency')`);
  await wh.run(`insert into core.activities (activity_id, partner_ids, program, activity_type, name, start_at) values
    ('act1', ['p1'], 'Alpha', 'co_sell', 'Alpha co-sell', '2023-01-01'),
    ('act2', ['p2'], 'Beta', 'webinar', 'Beta webinars', '2023-01-01'),
    ('act3', ['p3'], 'Gamma', 'event', 'Gamma event', '2023-01-01')`);
  await wh.run(`insert into core.accounts (account_id, name, employees, annual_revenue, annual_revenue_base)
    select account_id, 'Account ' || i, round(10 * exp(4 * size))::integer, round(1e6 * exp(4 * size), 2), round(1e6 * exp(4 * size), 2) from fx_acc`);
  await wh.run(`create or replace temp table fx_months as
    select a.*, m, (date '2023-01-01' + to_months(m::integer))::date as month_start,
      fx_u(i, 'o' || m) as uo, fx_u(i, 'w' || m) < 0.5 as won,
      0.02 + 0.05 * size as p0,
      case when a.partner = 'p1' and m > a.e then 2 * (0.02 + 0.05 * size) else 0.02 + 0.05 * size end as p1,
      round(10000 * (1 + size), 2) as amount
    from fx_acc a cross join range(24) r(m)`);
  await wh.run(`insert into core.opportunities (opportunity_id, account_id, type, created_at, close_date, stage, is_closed, is_won, amount, amount_base, currency)
    select 'o' || i || '-' || m, account_id, 'new_business', month_start + interval 10 day, (month_start + interval 40 day)::date,
      case when won then 'Closed Won' else 'Closed Lost' end, true, won, amount, amount, 'USD'
    from fx_months where uo < p1`);
  await wh.run(`insert into core.touchpoints (touchpoint_id, occurred_at, account_id, activity_id, partner_id, channel, touch_type)
    select 'tp' || i || '-' || k, date '2023-01-01' + to_months(e + k) + interval 5 day, account_id,
      case partner when 'p1' then 'act1' when 'p2' then 'act2' else 'act3' end, partner, 'partner', 'meeting'
    from fx_acc cross join range(3) r(k) where partner is not null and e + k < 24`);
  await wh.run(`insert into core.touchpoints (touchpoint_id, occurred_at, account_id, channel, touch_type)
    select 'tb' || i || '-' || k, date '2023-01-01' + to_months(floor(fx_u(i, 'bm' || k) * 24)::integer) + interval 3 day, account_id, 'paid', 'click'
    from fx_acc cross join range(4) r(k) where fx_u(i, 'bg' || k) < 0.2 + 0.6 * size`);
  const rows = await wh.allJS<{ unit_id: string; program: string; revenue: number; pipeline: number; engaged: number }>(`
    select partner as unit_id, case partner when 'p1' then 'Alpha' when 'p2' then 'Beta' else 'Gamma' end as program,
      sum(case when m > e and won then ((uo < p1)::integer - (uo < p0)::integer) * amount else 0 end)::double as revenue,
      sum(case when m > e then ((uo < p1)::integer - (uo < p0)::integer) * amount else 0 end)::double as pipeline,
      count(distinct account_id)::integer as engaged
    from fx_months where partner is not null group by all order by 1`);
  return rows.flatMap((r) => [
    { unit_kind: 'partner' as const, unit_id: r.unit_id, revenue: r.revenue, pipeline: r.pipeline, engaged: r.engaged },
    { unit_kind: 'program' as const, unit_id: r.program, revenue: r.revenue, pipeline: r.pipeline, engaged: r.engaged },
  ]);
}
