/**
 * Eligibility: which touches count for which opportunity, set-wise in DuckDB.
 *
 * Builds connection-local temp tables the models read:
 * - `att_opp`: opportunities with their base amount in cents and the end of their close day.
 * - `att_cand`: every (opportunity, touch) in the influence window — from `created_at - window`
 *   (window by the touch's partner type, else the default) up to the close (open: no end) — of the
 *   opportunity's account, its contacts, or its contact roles; flags `in_pipeline` (up to
 *   creation) and `in_revenue` (won, up to the close day).
 * - `att_elig` (a view over att_cand): the credited touches, one row per (opportunity, purpose, touch);
 *   purpose is 0 (pipeline) or 1 (revenue) in every temp table, as in model.credit_rows.
 * - `att_pos`: per (opportunity, purpose) the count and the key touches, from one aggregate pass
 *   over att_cand (arg_min/arg_max over `(occurred_at, touchpoint_id)`, with filters for the
 *   pipeline prefix and form fills), never from sorting each partition.
 * - `att_partner_shares`: partner shares of multi-partner activities (`attributes.partner_shares`).
 *
 * `opportunityId` restricts everything to one opportunity (explain). `positions: 'first'` leaves
 * att_pos with counts and the first touch only (last, opportunity-creation and lead-creation ids
 * null), for models that read no other position.
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql, raw, type Sql } from '../warehouse/index.js';
import type { Windows } from './config.js';

/** Key of the deterministic touch order: (occurred_at, touchpoint_id). */
export const ORDER_KEY = `{'t': occurred_at, 'id': touchpoint_id}`;

/**
 * Partner shares of multi-partner activities: the declared `attributes.partner_shares` (normalised
 * to sum to 1), or equal shares when none is declared. Attribution and engagement split credit by it.
 *
 * @example
 * await wh.run(`create temp table shares as ${PARTNER_SHARES_SQL}`);
 */
export const PARTNER_SHARES_SQL = `with listed as (
      select a.activity_id, unnest(a.partner_ids) as partner_id, a.attributes
      from core.activities a
      where len(a.partner_ids) > 1
    ),
    declared as (
      select activity_id, partner_id,
        coalesce(try_cast(json_extract(attributes, '$.partner_shares."' || replace(partner_id, '"', '') || '"') as DOUBLE), 0) as declared
      from listed
    )
    select activity_id, partner_id,
      case when sum(declared) over (partition by activity_id) > 0
        then declared / sum(declared) over (partition by activity_id)
        else 1.0 / count(*) over (partition by activity_id) end as share
    from declared`;

function windowDaysExpr(w: Windows): Sql {
  const entries = Object.entries(w.byPartnerType).filter(([, d]) => d !== undefined);
  if (entries.length === 0) return sql`${w.defaultDays}::INTEGER`;
  let expr = sql`case p.partner_type`;
  for (const [pt, days] of entries) expr = sql`${expr} when ${pt} then ${days ?? 0}::INTEGER`;
  return sql`${expr} else ${w.defaultDays}::INTEGER end`;
}

function maxWindow(w: Windows): number {
  return Math.max(w.defaultDays, ...Object.values(w.byPartnerType).map((d) => d ?? 0));
}

/**
 * Creates att_opp, att_cand, att_elig, att_pos and att_partner_shares for the given windows.
 *
 * @example
 * await buildEligibility(wh, { windows: { defaultDays: 365, byPartnerType: {} } });
 */
export async function buildEligibility(
  wh: Warehouse,
  opts: { windows: Windows; opportunityId?: string; positions?: 'all' | 'first' },
): Promise<void> {
  const oppFilter = opts.opportunityId === undefined ? sql`` : sql`where opportunity_id = ${opts.opportunityId}`;
  await wh.run(sql`create or replace temp table att_opp as
    select row_key as opp_key, opportunity_id, account_id, created_at, close_date, is_closed, is_won,
      (coalesce(amount_base, amount) * 100)::BIGINT as cents,
      coalesce(close_date::TIMESTAMP + interval 1 day, TIMESTAMP '9999-12-31') as close_end
    from core.opportunities
    ${oppFilter}`);
  // What every run must credit: pipeline for each opportunity, revenue for each won one (purpose 0/1).
  await wh.run(`create or replace temp view att_due as
    select opp_key, 0::UTINYINT as purpose, cents from att_opp
    union all
    select opp_key, 1::UTINYINT, cents from att_opp where is_won`);
  await wh.run(`create or replace temp table att_partner_shares as
    ${PARTNER_SHARES_SQL}`);
  const hasTypeWindows = Object.values(opts.windows.byPartnerType).some((d) => d !== undefined);
  const wd = windowDaysExpr(opts.windows);
  const maxDays = maxWindow(opts.windows);
  // Narrow rows: keys, time and the touch columns the models and credits write; dimensions
  // (partner type, program, activity type, opportunity dates) are joined late in att_elig.
  const touchSelect = sql`
      o.opp_key, t.touch_key, t.touchpoint_id, t.occurred_at, t.channel, t.touch_type, t.activity_id,
      coalesce(t.partner_id, a.partner_ids[1]) as partner_id,
      t.occurred_at <= o.created_at as in_pipeline, o.is_won as in_revenue`;
  // The partner type only matters when a window depends on it.
  const touchJoins = hasTypeWindows
    ? raw(`
      left join core.activities a on a.activity_id = t.activity_id
      left join core.partners p on p.partner_id = coalesce(t.partner_id, a.partner_ids[1])`)
    : raw(`
      left join core.activities a on a.activity_id = t.activity_id`);
  const inRange = hasTypeWindows
    ? sql`t.occurred_at >= o.created_at - to_days(${maxDays}::INTEGER) and t.occurred_at < o.close_end
        and t.occurred_at >= o.created_at - to_days(${wd})`
    : sql`t.occurred_at >= o.created_at - to_days(${maxDays}::INTEGER) and t.occurred_at < o.close_end`;
  // The second branch (contact roles on another account) only when there are contact roles.
  const roles = await wh.all<{ n: number }>(`select count(*)::INTEGER as n from (select 1 from core.opportunity_contacts limit 1)`);
  const byRole = Number(roles[0]?.n ?? 0) > 0
    ? sql`
      union all
      select ${touchSelect}
      from core.opportunity_contacts oc
      join att_opp o on o.opportunity_id = oc.opportunity_id
      join touches t on t.contact_id = oc.contact_id
      ${touchJoins}
      where t.resolved_account_id is distinct from o.account_id and ${inRange}`
    : sql``;
  await wh.run(sql`create or replace temp table att_cand as
    with touches as (
      -- The touch's account, else its contact's: two branches with plain equi-joins (a left join
      -- on 'account_id is null and …' became a nested-loop join of touches x contacts).
      select t.row_key as touch_key, t.touchpoint_id, t.occurred_at, t.channel, t.touch_type, t.activity_id, t.partner_id, t.contact_id,
        t.account_id as resolved_account_id
      from core.touchpoints t
      where t.account_id is not null
      union all
      select t.row_key as touch_key, t.touchpoint_id, t.occurred_at, t.channel, t.touch_type, t.activity_id, t.partner_id, t.contact_id,
        c.account_id as resolved_account_id
      from core.touchpoints t
      left join core.contacts c on c.contact_id = t.contact_id
      where t.account_id is null
    )
    select ${touchSelect}
    from att_opp o
    join touches t on t.resolved_account_id = o.account_id
    ${touchJoins}
    where ${inRange}
    ${byRole}`);
  // att_elig_n: the narrow credited rows (most models); att_elig adds the dimensions some
  // models read (partner type, program, activity type, creation and anchor times).
  await wh.run(`create or replace temp view att_elig_n as
    select opp_key, 0::UTINYINT as purpose, touch_key, touchpoint_id, occurred_at, channel, touch_type, activity_id, partner_id
    from att_cand
    where in_pipeline
    union all
    select opp_key, 1::UTINYINT as purpose, touch_key, touchpoint_id, occurred_at, channel, touch_type, activity_id, partner_id
    from att_cand
    where in_revenue`);
  await wh.run(`create or replace temp view att_elig as
    select e.*, p.partner_type, a.program, a.activity_type, o.created_at,
      case when e.purpose = 0 then o.created_at else o.close_end - interval 1 day end as anchor_at
    from att_elig_n e
    join att_opp o on o.opp_key = e.opp_key
    left join core.partners p on p.partner_id = e.partner_id
    left join core.activities a on a.activity_id = e.activity_id`);
  // Positions from one aggregate pass over att_cand (no sort of any partition): the pipeline
  // touches are a prefix in time of the revenue touches, so both purposes come from one group by.
  const key = '(occurred_at, touchpoint_id)';
  // The first touch is always needed (sourced by touch); the other key touches only by models
  // that read positions (each arg over the struct key costs about a second per 10M rows).
  const later = (opts.positions ?? 'all') === 'all'
    ? `arg_max(touch_key, ${key}) as last_key,
        arg_max(touch_key, ${key}) filter (where in_pipeline) as oppc_key,
        arg_min(touch_key, ${key}) filter (where touch_type = 'form_fill') as lead_all,
        arg_min(touch_key, ${key}) filter (where touch_type = 'form_fill' and in_pipeline) as lead_pipe`
    : `null::BIGINT as last_key, null::BIGINT as oppc_key, null::BIGINT as lead_all, null::BIGINT as lead_pipe`;
  await wh.run(`create or replace temp table att_pos as
    with agg as (
      select opp_key, bool_or(in_revenue) as in_revenue,
        count(*)::INTEGER as n_all,
        count(*) filter (where in_pipeline)::INTEGER as n_pipe,
        arg_min(touch_key, ${key}) as first_key,
        ${later}
      from att_cand
      where in_pipeline or in_revenue
      group by opp_key
    )
    select opp_key, 0::UTINYINT as purpose, n_pipe as n, first_key, oppc_key as last_key, lead_pipe as lead_key,
      oppc_key, null::BIGINT as close_key
    from agg
    where n_pipe > 0
    union all
    select opp_key, 1::UTINYINT, n_all, first_key, last_key, lead_all, oppc_key, last_key
    from agg
    where in_revenue`);
}

/** Drops the temp tables of a run (they are connection-local; this frees memory early). */
export async function dropEligibility(wh: Warehouse): Promise<void> {
  await wh.run('drop view if exists att_elig');
  await wh.run('drop view if exists att_elig_n');
  await wh.run('drop view if exists att_due');
  for (const t of ['att_cand', 'att_pos', 'att_opp', 'att_partner_shares', 'att_w', 'att_decay', 'att_share', 'att_split', 'att_spare', 'att_pick', 'att_codes', 'att_extra', 'att_tc', 'att_rule_map']) {
    await wh.run(`drop table if exists ${t}`);
  }
}
