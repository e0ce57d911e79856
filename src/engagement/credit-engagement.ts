/**
 * Engagement attribution: every engagement unit (an engagement touch such as a content view or
 * an attended event, or a month of product usage after the first won deal) is credited to the
 * touches of its account's path with an attribution model from config/attribution.yaml and the
 * same lookback windows (per partner type) as pipeline. Weights per unit sum to 1; touches are
 * ordered by (occurred_at, touchpoint_id); a touch of a joint activity splits its weight between
 * the partners by the activity's shares. A usage unit whose account has no touch before the sale
 * is `unattributed` (one row, no touch, weight 1).
 *
 * Path of a touch unit: the account's touches from `occurred_at - window` up to the unit itself.
 * Path of a usage unit: the account's touches from `sale - window` up to the end of the sale day.
 *
 * Supported model types: first_touch, last_touch, linear, time_decay, position_based (the
 * rule-based models whose weights depend only on the order and age of touches). Others are
 * refused with a clear message; see README.md.
 */
import { JointlyError } from '../core/index.js';
import type { ResolvedModel } from '../attribution/index.js';
import { decayFactor } from '../attribution/index.js';
import type { Warehouse } from '../warehouse/index.js';
import { sql, raw, type Sql } from '../warehouse/index.js';
import type { EngagementConfig } from './config.js';

export const ENGAGEMENT_MODEL_TYPES = ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'] as const;

const DECAY_DAYS = 3660;

function windowDaysExpr(model: ResolvedModel): Sql {
  const entries = Object.entries(model.windows.byPartnerType).filter(([, d]) => d !== undefined);
  if (entries.length === 0) return sql`${model.windows.defaultDays}::INTEGER`;
  let expr = sql`case pt.partner_type`;
  for (const [ptype, days] of entries) expr = sql`${expr} when ${ptype} then ${days ?? 0}::INTEGER`;
  return sql`${expr} else ${model.windows.defaultDays}::INTEGER end`;
}

function rawWeight(model: ResolvedModel): { weight: Sql; rule: Sql } {
  const s = model.spec;
  switch (s.type) {
    case 'first_touch':
      return { weight: sql`(r = 1)::INTEGER::DOUBLE`, rule: sql`'first touch'` };
    case 'last_touch':
      return { weight: sql`(r = n)::INTEGER::DOUBLE`, rule: sql`'last touch'` };
    case 'linear':
      return { weight: sql`1.0`, rule: sql`'linear: 1 of ' || n || ' touches'` };
    case 'time_decay':
      return {
        weight: sql`d.factor`,
        rule: sql`'time decay: ' || days || ' day(s) before, half-life ' || ${s.half_life_days} || ' days'`,
      };
    case 'position_based':
      return {
        weight: sql`case when n = 1 then 1.0 when r = 1 then ${s.first}::DOUBLE when r = n then ${s.last}::DOUBLE
          else ${s.middle}::DOUBLE / (n - 2) end`,
        rule: sql`'position based: ' || case when n = 1 then 'only touch' when r = 1 then 'first touch'
          when r = n then 'last touch' else 'middle touch (spread)' end`,
      };
    default:
      throw new JointlyError(
        'BAD_ARGUMENT',
        `Engagement attribution supports the model types ${ENGAGEMENT_MODEL_TYPES.join(', ')}; ` +
          `model "${model.name}" in ${model.file} is ${s.type}. Pick another with --model.`,
      );
  }
}

/**
 * Writes model.engagement_credits for `runId` (needs prepareEngagementFacts) and checks that the
 * weights of every unit sum to 1. Returns the number of units.
 *
 * @example
 * await creditEngagement(wh, { runId: 7, model: resolveModel(loadAttributionConfig(), 'linear'), cfg })
 */
export async function creditEngagement(
  wh: Warehouse,
  args: { runId: number; model: ResolvedModel; cfg: EngagementConfig },
): Promise<{ units: number; unattributed: number }> {
  const { weight, rule } = rawWeight(args.model);
  if (args.model.spec.type === 'time_decay') {
    const hl = args.model.spec.half_life_days;
    const factors = Array.from({ length: DECAY_DAYS + 1 }, (_, d) => decayFactor(d, hl));
    await wh.run(`create or replace temp table eng_decay (day INTEGER, factor DOUBLE)`);
    await wh.run({
      text: `insert into eng_decay select i - 1, f from (select unnest($1::DOUBLE[]) as f, generate_subscripts($1::DOUBLE[], 1) as i)`,
      values: [`[${factors.map((f) => f.toExponential(17)).join(',')}]`],
    });
  }
  const unitTypes = `[${args.cfg.attribution.unit_touch_types.map((t) => `'${t}'`).join(', ')}]`;
  await wh.run(sql`create or replace temp table eng_unit as
    select 'touch:' || touchpoint_id as unit_id, 'touch' as unit_kind, account_id, occurred_at as anchor_at,
      touchpoint_id as self_id, any_value(engaged_seconds)::DOUBLE as seconds
    from eng_touch
    where list_contains(${raw(unitTypes)}, touch_type) and account_id is not null
    group by touchpoint_id, account_id, occurred_at
    union all
    select 'usage:' || c.account_id || ':' || strftime(date_trunc('month', u.occurred_at), '%Y-%m'), 'usage',
      c.account_id, c.sale_date::TIMESTAMP + interval 1 day, null, null
    from eng_customer c
    join core.usage u on u.account_id = c.account_id and u.occurred_at >= c.sale_date
    group by c.account_id, c.sale_date, date_trunc('month', u.occurred_at)`);
  const wd = windowDaysExpr(args.model);
  await wh.run(sql`create or replace temp table eng_path as
    with touches as (
      select touchpoint_id, any_value(occurred_at) as occurred_at, any_value(account_id) as account_id,
        any_value(partner_id order by partner_id) as partner_id
      from eng_touch
      where account_id is not null
      group by touchpoint_id
    ),
    p as (
      select u.unit_id, t.touchpoint_id, t.occurred_at, u.anchor_at,
        floor(epoch(u.anchor_at - t.occurred_at) / 86400)::INTEGER as days
      from eng_unit u
      join touches t on t.account_id = u.account_id
      left join core.partners pt on pt.partner_id = t.partner_id
      where t.occurred_at >= u.anchor_at - to_days(${wd})
        and (t.occurred_at < u.anchor_at or (t.occurred_at = u.anchor_at and t.touchpoint_id <= u.self_id))
    )
    select *, count(*) over (partition by unit_id) as n,
      row_number() over (partition by unit_id order by occurred_at, touchpoint_id) as r
    from p`);
  const decayJoin =
    args.model.spec.type === 'time_decay'
      ? sql`join eng_decay d on d.day = least(${DECAY_DAYS}::INTEGER, greatest(0, days))`
      : sql``;
  await wh.run(sql`insert into model.engagement_credits
    with w as (
      select unit_id, touchpoint_id, n, (${weight})::DOUBLE as raw_weight, ${rule} as rule
      from eng_path
      ${decayJoin}
    ),
    tot as (
      select unit_id, sum(raw_weight) as total from w group by unit_id
    ),
    norm as (
      select w.unit_id, w.touchpoint_id,
        case when tot.total > 0 then w.raw_weight / tot.total else 1.0 / w.n end as weight,
        case when tot.total > 0 then w.rule else 'fallback: linear (no touch has a weight in this model)' end as rule
      from w
      join tot on tot.unit_id = w.unit_id
      where tot.total = 0 or w.raw_weight > 0
    )
    select ${args.runId}, u.unit_id, u.unit_kind, u.account_id, u.anchor_at, t.touchpoint_id, t.partner_id,
      t.activity_id, t.activity_type, t.channel, t.touch_type, n.weight * t.share, n.weight * t.share * u.seconds, n.rule
    from norm n
    join eng_unit u on u.unit_id = n.unit_id
    join eng_touch t on t.touchpoint_id = n.touchpoint_id
    union all
    select ${args.runId}, u.unit_id, u.unit_kind, u.account_id, u.anchor_at, null, null, null, null, null, null,
      1.0, u.seconds, 'unattributed: no touch of the account in the window before the sale'
    from eng_unit u
    where not exists (select 1 from eng_path p where p.unit_id = u.unit_id)`);
  const check = await wh.all<{ units: number; bad: number; unattributed: number; missing: number }>(sql`
    with s as (
      select unit_id, sum(weight) as total, bool_or(touchpoint_id is null) as unattributed
      from model.engagement_credits where run_id = ${args.runId} group by unit_id
    )
    select count(*)::INTEGER as units, count(*) filter (where abs(total - 1) > 1e-9)::INTEGER as bad,
      count(*) filter (where unattributed)::INTEGER as unattributed,
      ((select count(*) from eng_unit) - count(*))::INTEGER as missing
    from s`);
  const c = check[0];
  if (!c || c.bad > 0 || c.missing !== 0) {
    throw new JointlyError(
      'INVARIANT_BROKEN',
      `Engagement credits of run ${args.runId}: ${c?.bad ?? '?'} unit(s) whose weights do not sum to 1 and ` +
        `${c?.missing ?? '?'} unit(s) without credit.`,
    );
  }
  return { units: c.units, unattributed: c.unattributed };
}
