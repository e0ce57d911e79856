/**
 * Engagement quality scores (0-100) per grain, set-wise in DuckDB from the eng_* temp tables
 * (prepare-facts.ts). Components, each in [0, 1], left out (null) when they do not apply:
 *
 * - content_depth: over content touches (`score.content_touch_types`), the share-weighted mean of
 *   (min(1, engaged_seconds / content_seconds) + min(1, content_pct / 100)) / 2 (either half alone
 *   when the other is missing; content_pct is a percentage 0-100).
 * - attendance: (min(1, attended / registered) + mean min(1, engaged_seconds / event_seconds) over
 *   attended touches) / 2; with no registrations the first half is 1 when anyone attended.
 * - co_creation (partner grain only): co-created activities (`co_created_activity_types`) per
 *   quarter since the partner's first activity, / co_created_per_quarter, capped at 1.
 * - onboarding, adoption, recurring_usage: means over the customers the key brought
 *   (eng_customer_link; for the account grain, the account itself): product use within
 *   onboarding_days of the sale (0/1), distinct events used / events in the catalogue, and the
 *   share of complete months since the sale month with usage.
 *
 * score = 100 * Σ weight·component / Σ weight over the components that are not null.
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql, raw } from '../warehouse/index.js';
import { SCORE_COMPONENTS, type EngagementConfig } from './config.js';

export const SCORE_GRAINS = [
  'partner', 'activity', 'activity_type', 'account', 'partner_activity', 'partner_activity_type', 'partner_account',
] as const;
export type ScoreGrain = (typeof SCORE_GRAINS)[number];

const KEY: Record<ScoreGrain, { key: string; scoped: boolean }> = {
  partner: { key: 'partner_id', scoped: false },
  activity: { key: 'activity_id', scoped: false },
  activity_type: { key: 'activity_type', scoped: false },
  account: { key: 'account_id', scoped: false },
  partner_activity: { key: 'activity_id', scoped: true },
  partner_activity_type: { key: 'activity_type', scoped: true },
  partner_account: { key: 'account_id', scoped: true },
};

function list(values: readonly string[]): string {
  return `[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]`;
}

/**
 * Inserts the scores of one grain into model.engagement_scores for `runId`.
 *
 * @example
 * for (const g of SCORE_GRAINS) await scoreEngagement(wh, { runId, grain: g, cfg });
 */
export async function scoreEngagement(
  wh: Warehouse,
  args: { runId: number; grain: ScoreGrain; cfg: EngagementConfig },
): Promise<void> {
  const { key, scoped } = KEY[args.grain];
  const s = args.cfg.score;
  const partnerCol = raw(scoped ? 'partner_id' : 'null::VARCHAR');
  const k = raw(key);
  const unitTypes = raw(list(args.cfg.attribution.unit_touch_types));
  const contentTypes = raw(list(s.content_touch_types));
  const coTypes = raw(list(s.co_created_activity_types));
  const w = s.weights;
  const scoreTerms = SCORE_COMPONENTS.map((c) => ({ c, w: w[c] }));
  let num = sql`0.0`;
  let den = sql`0.0`;
  for (const t of scoreTerms) {
    num = sql`${num} + coalesce(${raw(t.c)} * ${t.w}::DOUBLE, 0)`;
    den = sql`${den} + case when ${raw(t.c)} is null then 0 else ${t.w}::DOUBLE end`;
  }
  // Customer facts: the account itself for account grains, else the customers the key brought.
  const customerFacts =
    key === 'account_id'
      ? scoped
        ? sql`select distinct l.partner_id as scope_id, c.* from eng_customer_link l join eng_customer c using (account_id)`
        : sql`select null::VARCHAR as scope_id, c.* from eng_customer c`
      : sql`select distinct ${raw(scoped ? 'l.partner_id as scope_id' : 'null::VARCHAR as scope_id')}, l.${k} as key, c.*
          from eng_customer_link l join eng_customer c using (account_id) where l.${k} is not null`;
  const coCreation =
    args.grain === 'partner'
      ? sql`select p.partner_id as key,
          least(1.0, count(a.activity_id) filter (where list_contains(${coTypes}, a.activity_type))::DOUBLE
            / (datediff('quarter', date_trunc('quarter', min(a.start_at)), date_trunc('quarter', any_value(x.data_end))) + 1)
            / ${s.targets.co_created_per_quarter}::DOUBLE) as co_creation
        from core.partners p
        join core.activities a on list_contains(a.partner_ids, p.partner_id)
        cross join eng_asof x
        where a.start_at < x.data_end
        group by p.partner_id`
      : sql`select null::VARCHAR as key, null::DOUBLE as co_creation where false`;
  const extraKeys =
    args.grain === 'partner' ? sql`union select null, partner_id from core.partners` : sql``;
  await wh.run(sql`insert into model.engagement_scores
    with t as (
      select ${partnerCol} as scope_id, ${k} as key, account_id, share, touch_type, engaged_seconds,
        case when list_contains(${contentTypes}, touch_type)
             and (engaged_seconds is not null or content_pct is not null) then
          (coalesce(least(1.0, engaged_seconds / ${s.targets.content_seconds}::DOUBLE), least(1.0, greatest(0.0, content_pct / 100.0)))
           + coalesce(least(1.0, greatest(0.0, content_pct / 100.0)), least(1.0, engaged_seconds / ${s.targets.content_seconds}::DOUBLE))) / 2
        end as depth,
        least(1.0, coalesce(engaged_seconds, 0) / ${s.targets.event_seconds}::DOUBLE) as present
      from eng_touch
      where ${k} is not null ${raw(scoped ? 'and partner_id is not null' : '')}
    ),
    tf as (
      select scope_id, key,
        coalesce(sum(share) filter (where list_contains(${unitTypes}, touch_type)), 0) as engagement_touches,
        sum(share * depth) / nullif(sum(share) filter (where depth is not null), 0) as content_depth,
        coalesce(sum(share) filter (where touch_type = 'registered'), 0) as registered,
        coalesce(sum(share) filter (where touch_type = 'attended'), 0) as attended,
        sum(share * present) filter (where touch_type = 'attended') as present,
        count(distinct account_id)::INTEGER as accounts
      from t
      group by scope_id, key
    ),
    cf as (
      select scope_id, ${raw(key === 'account_id' ? 'account_id' : 'key')} as key, count(distinct account_id)::INTEGER as customers,
        avg(onboarding) as onboarding, avg(adoption) as adoption, avg(recurring_usage) as recurring_usage
      from (${customerFacts})
      group by all
    ),
    co as (${coCreation}),
    keys as (
      select scope_id, key from tf union select scope_id, key from cf ${extraKeys}
    ),
    components as (
      select k.scope_id, k.key,
        tf.content_depth,
        case when tf.registered > 0 or tf.attended > 0 then
          (case when tf.registered > 0 then least(1.0, tf.attended / tf.registered) else 1.0 end
           + case when tf.attended > 0 then tf.present / tf.attended else 0.0 end) / 2
        end as attendance,
        co.co_creation,
        cf.onboarding, cf.adoption, cf.recurring_usage,
        coalesce(tf.engagement_touches, 0) as engagement_touches,
        coalesce(tf.accounts, 0) as accounts,
        coalesce(cf.customers, 0) as customers
      from keys k
      left join tf on tf.key = k.key and tf.scope_id is not distinct from k.scope_id
      left join cf on cf.key = k.key and cf.scope_id is not distinct from k.scope_id
      left join co on co.key = k.key
    ),
    credited as (
      select ${partnerCol} as scope_id, ${k} as key,
        sum(weight) filter (where unit_kind = 'touch') as credited_units,
        sum(weight) filter (where unit_kind = 'usage') as credited_usage_months
      from model.engagement_credits
      where run_id = ${args.runId} and ${k} is not null
      group by all
    )
    select ${args.runId}, ${args.grain}, c.scope_id, c.key, c.content_depth, c.attendance, c.co_creation,
      c.onboarding, c.adoption, c.recurring_usage,
      case when (${den}) > 0 then round(100 * (${num}) / (${den}), 1) end as score,
      c.engagement_touches, c.accounts, c.customers,
      coalesce(cr.credited_units, 0), coalesce(cr.credited_usage_months, 0)
    from components c
    left join credited cr on cr.key = c.key and cr.scope_id is not distinct from c.scope_id`);
}
