/**
 * Relation of engagement quality to later pipeline: for every (key, account, quarter) with partner
 * touches, a quality score from the touch components (content depth and attendance, weighted as
 * in the score and renormalised) and what followed in the next `horizon_days` after the quarter:
 * opportunities created (renewals excluded), their pipeline in the base currency and, of those
 * closed, the wins. Account-quarters are split into `buckets` equal-count buckets of the score
 * (Q1 lowest) per key; those with touches but no quality signal (impressions, clicks, visits only)
 * form the bucket `exposure`. Only quarters whose horizon ends before the data do count.
 * Dimensions: `partner` (key partner_id), `activity_type`, and `all`.
 */
import type { Warehouse } from '../warehouse/index.js';
import { sql, raw } from '../warehouse/index.js';
import type { EngagementConfig } from './config.js';

const DIMENSIONS = [
  { dimension: 'partner', key: 'partner_id' },
  { dimension: 'activity_type', key: 'activity_type' },
  { dimension: 'all', key: `'all'` },
] as const;

/**
 * Inserts model.engagement_pipeline rows for `runId` (needs prepareEngagementFacts).
 *
 * @example
 * await relatePipeline(wh, { runId, cfg })
 */
export async function relatePipeline(wh: Warehouse, args: { runId: number; cfg: EngagementConfig }): Promise<void> {
  const s = args.cfg.score;
  const wc = s.weights.content_depth;
  const wa = s.weights.attendance;
  const contentTypes = raw(`[${s.content_touch_types.map((t) => `'${t}'`).join(', ')}]`);
  const horizon = args.cfg.pipeline.horizon_days;
  for (const d of DIMENSIONS) {
    const key = raw(d.key);
    await wh.run(sql`insert into model.engagement_pipeline
      with t as (
        select ${key} as key, account_id, date_trunc('quarter', occurred_at)::DATE as quarter, share, touch_type,
          case when list_contains(${contentTypes}, touch_type) and (engaged_seconds is not null or content_pct is not null) then
            (coalesce(least(1.0, engaged_seconds / ${s.targets.content_seconds}::DOUBLE), least(1.0, greatest(0.0, content_pct / 100.0)))
             + coalesce(least(1.0, greatest(0.0, content_pct / 100.0)), least(1.0, engaged_seconds / ${s.targets.content_seconds}::DOUBLE))) / 2
          end as depth,
          least(1.0, coalesce(engaged_seconds, 0) / ${s.targets.event_seconds}::DOUBLE) as present
        from eng_touch
        where partner_id is not null and account_id is not null and ${key} is not null
      ),
      periods as (
        select key, account_id, quarter,
          sum(share * depth) / nullif(sum(share) filter (where depth is not null), 0) as content_depth,
          coalesce(sum(share) filter (where touch_type = 'registered'), 0) as registered,
          coalesce(sum(share) filter (where touch_type = 'attended'), 0) as attended,
          sum(share * present) filter (where touch_type = 'attended') as present
        from t
        group by key, account_id, quarter
      ),
      scored as (
        select key, account_id, quarter, (quarter + interval 3 month)::DATE as period_end,
          case when (case when content_depth is null then 0 else ${wc}::DOUBLE end)
                  + (case when attendance is null then 0 else ${wa}::DOUBLE end) > 0 then
            100 * (coalesce(content_depth * ${wc}::DOUBLE, 0) + coalesce(attendance * ${wa}::DOUBLE, 0))
              / ((case when content_depth is null then 0 else ${wc}::DOUBLE end) + (case when attendance is null then 0 else ${wa}::DOUBLE end))
          end as score
        from (
          select *, case when registered > 0 or attended > 0 then
              (case when registered > 0 then least(1.0, attended / registered) else 1.0 end
               + case when attended > 0 then present / attended else 0.0 end) / 2 end as attendance
          from periods
        )
      ),
      observed as (
        select s.* from scored s, eng_asof x
        where s.period_end + to_days(${horizon}::INTEGER) <= x.data_end
      ),
      bucketed as (
        select *, case when score is null then 'exposure'
          else 'Q' || ntile(${args.cfg.pipeline.buckets}::INTEGER) over (partition by key, score is null order by score, account_id, quarter) end as bucket
        from observed
      ),
      outcomes as (
        select b.key, b.bucket, b.account_id, b.quarter, any_value(b.score) as score,
          count(o.opportunity_id)::INTEGER as opportunities,
          coalesce(sum(coalesce(o.amount_base, o.amount)), 0)::DECIMAL(18,2) as pipeline,
          count(o.opportunity_id) filter (where o.is_closed)::INTEGER as closed,
          count(o.opportunity_id) filter (where o.is_won)::INTEGER as wins
        from bucketed b
        left join core.opportunities o on o.account_id = b.account_id and o.type <> 'renewal'
          and o.created_at >= b.period_end and o.created_at < b.period_end + to_days(${horizon}::INTEGER)
        group by b.key, b.bucket, b.account_id, b.quarter
      )
      select ${args.runId}, ${d.dimension}, key, bucket, count(*)::INTEGER, avg(score), sum(opportunities)::INTEGER,
        sum(pipeline)::DECIMAL(18,2), sum(closed)::INTEGER, sum(wins)::INTEGER,
        case when sum(closed) > 0 then sum(wins) / sum(closed) end
      from outcomes
      group by key, bucket`);
  }
}
