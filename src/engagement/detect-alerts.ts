/**
 * Alerts: unusual engagement per partner and per (partner, activity type), month by month,
 * against the series' own history, robust to shared seasonality, bursts and many tests.
 *
 * Engagement comes in bursts (one webinar = many touches), so month counts vary far more than a
 * Poisson model allows (a Poisson tail fired ~900 times on the medium demo). The detector works
 * on log counts and measures each series' own spread from how well its past months were predicted.
 * For series s (a partner's touches, or its touches of one activity type) in complete month t:
 * - x_t = ln(1 + v_t). Programme index G: each month, the median over the OTHER partners (with
 *   ≥ `min_expected` touches in both months) of their month-over-month change of x, summed over
 *   time; it carries the trend and seasonality all partners share, robust to one partner's burst.
 *   A month with fewer than `index_min_partners` such partners adds 0 (a median of two or three
 *   would carry one partner's own season into everyone else's expectation). y_t = x_t − G_t.
 * - level L_t = median of y over the `level_months` months before t and the `level_months_after`
 *   months after it where the data have them (≥ `min_history_months` months in all). A past
 *   month is judged against the months on both sides (a dip between two normal months is clear,
 *   a level shift is not mistaken for a dip); the newest months only against the months before,
 *   so their alerts appear as soon as the month closes and are re-judged as later months arrive.
 * - seasonal S_t: when the same month a year before stood out from BOTH its neighbours in the
 *   same direction and the neighbours sat closer to each other than to it (a transient peak or
 *   trough, not a level shift or a burst's edge), the smaller of the two steps,
 *   shrunk toward 0 by its noise (positive-part Stein: S·max(0, 1 − var/S²)); else 0.
 * - expected touches μ_t = exp(L_t + S_t + G_t) − 1; residual e_t = y_t − L_t − S_t.
 * - dispersion (quasi-Poisson, var(ln(1+X)) ≈ φ·μ/(1+μ)²): the series' own φ from the MAD of its
 *   previous `history_months` residuals (k ≥ `min_residual_months` of them), shrunk toward the
 *   median φ of all series of the grain worth `dispersion_prior_months` months, never below 1.
 *   A month judged on the months before only (the newest) takes the spread of the past months'
 *   before-only residuals, which are wider than the two-sided ones.
 * - z = e_t / σ_t; two-sided normal p-value (erfc in SQL, relative error < 1.2e-7).
 * - tested when μ_t ≥ `min_expected` (minimum volume). Benjamini–Hochberg at `fdr` across every
 *   partner-month tested in the run; inside each partner-month kept, BH at `fdr` across its
 *   activity types (hierarchical: an activity type alerts only under its partner's alert, so an
 *   activity simply ending or starting while the partner's engagement holds is not an alert).
 * - expected range = the touches at L + S + G ± z*·σ, z* = the smallest |z| kept in the alert's
 *   family, so each alert lies on or outside its range.
 * Each alert lists the accounts engaged that month and, for drops, the accounts engaged in the
 * three months before but not this one. The run summary records tests made and the partner z*.
 */
import type { Warehouse } from '../warehouse/index.js';
import { raw, sql } from '../warehouse/index.js';
import type { EngagementConfig } from './config.js';

/** What the detector did in a run: tests made, alerts kept and the critical |z| (run summary). */
export interface AlertStats {
  alerts: number;
  tests: number;
  partner_month_tests: number;
  fdr: number;
  critical_z: number | null;
}

/**
 * erfc(x) for x ≥ 0 as a SQL expression (Numerical Recipes `erfcc`, Chebyshev fit with fractional
 * error below 1.2e-7 everywhere, so tiny p-values keep their relative precision).
 */
export function erfcSql(x: string): string {
  const t = `(1.0 / (1.0 + 0.5 * (${x})))`;
  return `(${t} * exp(-(${x}) * (${x}) - 1.26551223 + ${t} * (1.00002368 + ${t} * (0.37409196 + ${t} * (0.09678418 + ${t} * (-0.18628806 + ${t} * (0.27886807 + ${t} * (-1.13520398 + ${t} * (1.48851587 + ${t} * (-0.82215223 + ${t} * 0.17087277))))))))))`;
}

/** Inverse of the two-sided normal tail (|z| whose p-value is `p`), by bisection. */
export function twoSidedZ(p: number): number {
  const erfc = (x: number): number => {
    const t = 1 / (1 + 0.5 * x);
    return t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  };
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (erfc(mid / Math.SQRT2) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Inserts model.engagement_alerts for `runId` (needs prepareEngagementFacts); returns the stats.
 *
 * @example
 * const { alerts, tests } = await detectAlerts(wh, { runId, cfg }) // { alerts: 3, tests: 2140, … }
 */
export async function detectAlerts(wh: Warehouse, args: { runId: number; cfg: EngagementConfig }): Promise<AlertStats> {
  const a = args.cfg.alerts;
  const W = a.history_months;
  await wh.run(sql`create or replace temp table eng_alert_test as
    with pt as (
      select distinct touchpoint_id, partner_id, activity_type, date_trunc('month', occurred_at)::DATE as month
      from eng_touch, eng_asof x
      where partner_id is not null and occurred_at < x.data_month
    ),
    series as (
      select 'partner' as grain, partner_id, null::VARCHAR as activity_type, min(month) as first_month from pt group by partner_id
      union all
      select 'partner_activity_type', partner_id, activity_type, min(month) from pt where activity_type is not null group by partner_id, activity_type
    ),
    months as (
      select s.grain, s.partner_id, s.activity_type, m.month::DATE as month
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
    filled as (
      select m.grain, m.partner_id, m.activity_type, m.month, coalesce(c.value, 0)::DOUBLE as value,
        ln(1 + coalesce(c.value, 0)::DOUBLE) as x
      from months m
      left join counts c on c.grain = m.grain and c.partner_id = m.partner_id
        and c.activity_type is not distinct from m.activity_type and c.month = m.month
    ),
    change as (
      select partner_id, month,
        x - lag(x) over (partition by partner_id order by month) as d,
        value >= ${a.min_expected}::DOUBLE and lag(value) over (partition by partner_id order by month) >= ${a.min_expected}::DOUBLE as steady
      from filled where grain = 'partner'
    ),
    programme as (
      select p.partner_id, p.month,
        case when count(q.d) >= ${a.index_min_partners} then median(q.d) else 0 end as shared_change
      from change p
      left join change q on q.month = p.month and q.partner_id <> p.partner_id and q.steady and q.d is not null
      group by p.partner_id, p.month
    ),
    cumulated as (
      select f.*, sum(pr.shared_change) over (partition by f.grain, f.partner_id, f.activity_type order by f.month
          rows between unbounded preceding and current row) as shared
      from filled f join programme pr on pr.partner_id = f.partner_id and pr.month = f.month
    ),
    indexed as (
      select dense_rank() over (order by grain, partner_id, activity_type) as sid, *, x - shared as y
      from cumulated
    ),
    leveled as (
      select *, median(y) over w as level, count(*) over w as level_months,
        median(y) over wt as level_trail, count(*) over wt as trail_months,
        ${raw(a.level_months_after > 0 ? `count(*) over (partition by sid order by month rows between 1 following and ${a.level_months_after} following)` : '0')} as months_after
      from indexed
      window w as (partition by sid order by month rows between ${a.level_months} preceding and ${a.level_months_after} following exclude current row),
        wt as (partition by sid order by month rows between ${a.level_months} preceding and 1 preceding)
    ),
    raw_resid as (
      select *,
        case when level_months >= ${a.min_history_months} then y - level end as e0,
        case when level_months >= ${a.min_history_months} then greatest(exp(level + shared) - 1, 0) end as mu0
      from leveled
    ),
    raw_spread as (
      select *, 1.4826 * median(abs(e0)) over w as sigma0, count(e0) over w as k0,
        mu0 / ((1 + mu0) * (1 + mu0)) as poisson0
      from raw_resid
      window w as (partition by sid order by month rows between ${W} preceding and 1 preceding)
    ),
    pool0 as (
      select grain, median(sigma0 * sigma0 / poisson0) as phi_pool
      from raw_spread where k0 >= ${a.min_residual_months} and poisson0 > 0 group by grain
    ),
    shrunk0 as (
      select r.*, r.poisson0 * greatest(1, (r.k0 * r.sigma0 * r.sigma0 / nullif(r.poisson0, 0) + ${a.dispersion_prior_months} * p.phi_pool)
          / (r.k0 + ${a.dispersion_prior_months})) as var0
      from raw_spread r join pool0 p using (grain)
    ),
    seasonal as (
      select *,
        lag(y, 12) over s - lag(y, 13) over s as rise_before,
        lag(y, 12) over s - lag(y, 11) over s as rise_after,
        2 * lag(var0, 12) over s as last_year_var
      from shrunk0
      window s as (partition by sid order by month)
    ),
    peaked as (
      select *,
        case when abs(rise_before - rise_after) >= least(abs(rise_before), abs(rise_after)) then 0
          when rise_before > 0 and rise_after > 0 then least(rise_before, rise_after)
          when rise_before < 0 and rise_after < 0 then greatest(rise_before, rise_after) else 0 end as last_year
      from seasonal
    ),
    resid as (
      select *,
        case when last_year_var is not null and last_year * last_year > last_year_var
          then last_year * (1 - last_year_var / (last_year * last_year)) else 0 end as seasonal_shift
      from peaked where e0 is not null
    ),
    resid2 as (
      select *, level + seasonal_shift as expected_log, y - (level + seasonal_shift) as e,
        case when trail_months >= ${a.min_history_months} then y - (level_trail + seasonal_shift) end as e_trail,
        greatest(exp(level + seasonal_shift + shared) - 1, 0) as expected,
        months_after < ${a.level_months_after} as one_sided
      from resid
    ),
    spread as (
      select *, 1.4826 * median(abs(e)) over w as sigma_both, count(e) over w as k_both,
        1.4826 * median(abs(e_trail)) over w as sigma_trail, count(e_trail) over w as k_trail,
        expected / ((1 + expected) * (1 + expected)) as poisson
      from resid2
      window w as (partition by sid order by month rows between ${W} preceding and 1 preceding)
    ),
    pool as (
      select grain,
        median(sigma_both * sigma_both / poisson) filter (where k_both >= ${a.min_residual_months}) as phi_both,
        median(sigma_trail * sigma_trail / poisson) filter (where k_trail >= ${a.min_residual_months}) as phi_trail
      from spread where poisson > 0 group by grain
    ),
    chosen as (
      select s.*,
        case when s.one_sided then s.sigma_trail else s.sigma_both end as sigma_own,
        case when s.one_sided then s.k_trail else s.k_both end as resid_months,
        coalesce(case when s.one_sided then p.phi_trail else p.phi_both end, 1) as phi_pool
      from spread s join pool p using (grain)
    ),
    dispersed as (
      select *, greatest(1, (resid_months * sigma_own * sigma_own / poisson + ${a.dispersion_prior_months} * phi_pool)
          / (resid_months + ${a.dispersion_prior_months})) as dispersion
      from chosen
      where resid_months >= ${a.min_residual_months} and expected >= ${a.min_expected}::DOUBLE
    ),
    tested as (
      select *, sqrt(dispersion * poisson) as sigma from dispersed
    )
    select grain || '|' || partner_id || '|' || coalesce(activity_type, '') || '|' || month as id,
      grain, partner_id, activity_type, month, value, expected, expected_log + shared as expected_log, sigma, sigma_own, dispersion, resid_months, e, e / sigma as z,
      level_months::INTEGER as history_months, exp(seasonal_shift) as seasonal_index,
      least(1.0, ${raw(erfcSql('abs(e / sigma) / sqrt(2)'))}) as p
    from tested`);
  // Benjamini-Hochberg over every partner-month tested; then, inside each partner-month kept,
  // over its activity types (hierarchical testing: an activity type alerts only under its partner).
  await wh.run(sql`create or replace temp table eng_alert_kept as
    with ranked as (
      select id, partner_id, month, p, abs(z) as az, row_number() over (order by p, id) as r, count(*) over () as m
      from eng_alert_test where grain = 'partner'
    ),
    cut as (select coalesce(max(r), 0) as k from ranked where p <= r * ${a.fdr}::DOUBLE / m),
    partner_kept as (select id, partner_id, month, az from ranked where r <= (select k from cut)),
    family as (
      select t.id, t.partner_id, t.month, t.p, abs(t.z) as az,
        row_number() over (partition by t.partner_id, t.month order by t.p, t.id) as r,
        count(*) over (partition by t.partner_id, t.month) as m
      from eng_alert_test t join partner_kept k on k.partner_id = t.partner_id and k.month = t.month
      where t.grain = 'partner_activity_type'
    ),
    family_cut as (select partner_id, month, max(r) as k from family where p <= r * ${a.fdr}::DOUBLE / m group by partner_id, month),
    type_kept as (select f.id, f.partner_id, f.month, f.az from family f join family_cut c using (partner_id, month) where f.r <= c.k)
    select id, min(az) over () as critical_z from partner_kept
    union all
    select id, min(az) over (partition by partner_id, month) from type_kept`);
  const [stat] = await wh.allJS<{ tests: number; partner_month_tests: number; kept: number; critical_z: number | null }>(`
    select (select count(*) from eng_alert_test)::INTEGER as tests,
      (select count(*) from eng_alert_test where grain = 'partner')::INTEGER as partner_month_tests,
      (select count(*) from eng_alert_kept)::INTEGER as kept,
      (select min(k.critical_z) from eng_alert_kept k join eng_alert_test t using (id) where t.grain = 'partner') as critical_z`);
  const tests = stat?.tests ?? 0;
  const kept = stat?.kept ?? 0;
  const partnerTests = stat?.partner_month_tests ?? 0;
  const criticalZ = kept > 0 ? (stat?.critical_z ?? null) : partnerTests > 0 ? twoSidedZ(a.fdr / partnerTests) : null;
  await wh.run(sql`insert into model.engagement_alerts
    with kept as (
      select t.*, k.critical_z, case when t.z < 0 then 'drop' else 'spike' end as direction
      from eng_alert_test t join eng_alert_kept k using (id)
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
      greatest(0, exp(k.expected_log - k.critical_z * k.sigma) - 1),
      exp(k.expected_log + k.critical_z * k.sigma) - 1,
      k.z, k.history_months, k.seasonal_index,
      coalesce(coalesce(acc.now_accounts, [])[1:${a.max_accounts}], []),
      case when k.direction = 'drop' then coalesce(list_filter(coalesce(acc.before_accounts, []),
        x -> not list_contains(coalesce(acc.now_accounts, []), x))[1:${a.max_accounts}], []) else [] end
    from kept k
    left join acc on acc.id = k.id`);
  return { alerts: kept, tests, partner_month_tests: partnerTests, fdr: a.fdr, critical_z: criticalZ };
}
