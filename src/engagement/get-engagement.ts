/**
 * Readers of the latest successful engagement run (or a given run): scores, alerts and the
 * pipeline relation. Read-only; every reader takes an optional partnerId that limits the answer
 * to what that partner may see (the partner portal): its own scores, computed from its own
 * touches and the customers it brought, and its own alerts.
 */
import { JointlyError } from '../core/index.js';
import type { Warehouse } from '../warehouse/index.js';
import { sql } from '../warehouse/index.js';

export const ENGAGEMENT_BY = ['partner', 'activity', 'activity_type', 'account'] as const;
export type EngagementBy = (typeof ENGAGEMENT_BY)[number];

export type EngagementScoreRow = {
  key: string;
  score: number | null;
  content_depth: number | null;
  attendance: number | null;
  co_creation: number | null;
  onboarding: number | null;
  adoption: number | null;
  recurring_usage: number | null;
  engagement_touches: number;
  accounts: number;
  customers: number;
  credited_units: number;
  credited_usage_months: number;
};

export interface EngagementRunRef {
  run_id: number;
  model: string;
  finished_at: string | null;
}

/**
 * The latest successful engagement run (of `model` if given), or a NO_DATA error with a hint.
 *
 * @example
 * const run = await getEngagementRun(wh, {}); // { run_id: 18, model: 'position_based', … }
 */
export async function getEngagementRun(
  wh: Warehouse,
  opts: { model?: string | undefined; runId?: number | undefined },
): Promise<EngagementRunRef> {
  const rows = await wh.all<{ run_id: number; model: string; finished_at: string | null }>(sql`
    select run_id, model, finished_at::VARCHAR as finished_at
    from meta.runs
    where kind = 'engagement' and status = 'succeeded'
      and (${opts.model ?? null}::VARCHAR is null or model = ${opts.model ?? null})
      and (${opts.runId ?? null}::INTEGER is null or run_id = ${opts.runId ?? null})
    order by run_id desc
    limit 1`);
  const r = rows[0];
  if (!r) {
    throw new JointlyError(
      'NO_DATA',
      `No engagement run${opts.model ? ` of model "${opts.model}"` : ''} yet. Run \`jointly engagement\` first.`,
    );
  }
  return { ...r, run_id: Number(r.run_id) };
}

/**
 * Engagement quality scores (0-100, with components) by partner, activity, activity type or
 * account, best first. With `partnerId`, only that partner's own rows.
 *
 * @example
 * const { rows } = await getEngagement(wh, { by: 'partner' });
 * rows[0] // { key: 'P0001', score: 61.3, content_depth: 0.52, … }
 */
export async function getEngagement(
  wh: Warehouse,
  opts: { by: EngagementBy; partnerId?: string | undefined; model?: string | undefined; runId?: number | undefined },
): Promise<{ run: EngagementRunRef; by: EngagementBy; rows: EngagementScoreRow[] }> {
  const run = await getEngagementRun(wh, opts);
  const scoped = opts.partnerId !== undefined;
  const grain = scoped && opts.by !== 'partner' ? `partner_${opts.by}` : opts.by;
  const rows = await wh.allJS<EngagementScoreRow>(sql`
    select key, score, content_depth, attendance, co_creation, onboarding, adoption, recurring_usage,
      engagement_touches, accounts, customers, credited_units, credited_usage_months
    from model.engagement_scores
    where run_id = ${run.run_id} and grain = ${grain}
      and (${opts.partnerId ?? null}::VARCHAR is null
        or (grain = 'partner' and key = ${opts.partnerId ?? null}) or partner_id = ${opts.partnerId ?? null})
    order by score desc nulls last, key`);
  return { run, by: opts.by, rows };
}

export interface EngagementAlert {
  grain: 'partner' | 'partner_activity_type';
  partner_id: string;
  activity_type: string | null;
  month: string;
  metric: string;
  direction: 'drop' | 'spike';
  value: number;
  expected: number;
  expected_low: number;
  expected_high: number;
  z: number;
  history_months: number;
  seasonal_index: number;
  accounts: string[];
  missing_accounts: string[];
}

/** What the run tested for alerts (from its summary; null for runs before the calibrated detector). */
export interface AlertTesting {
  /** Series-months tested (partner and partner-activity-type). */
  tests: number;
  partner_month_tests: number;
  /** Benjamini-Hochberg false discovery rate. */
  fdr: number;
  /** Smallest |z| kept among partner alerts (or the first BH threshold when none). */
  critical_z: number | null;
}

/**
 * Unusual engagement (drops and spikes against the partner's own seasonally adjusted history),
 * strongest first. With `partnerId`, only that partner's alerts.
 *
 * @example
 * const { alerts } = await getAlerts(wh, { partnerId: 'P0016' });
 * alerts[0] // { month: '2026-06', direction: 'drop', value: 5, expected: 23.2, … }
 */
export async function getAlerts(
  wh: Warehouse,
  opts: { partnerId?: string | undefined; runId?: number | undefined } = {},
): Promise<{ run: EngagementRunRef; alerts: EngagementAlert[]; tested: AlertTesting | null }> {
  const run = await getEngagementRun(wh, { runId: opts.runId });
  const [summary] = await wh.allJS<{ tests: number | null; partner_month_tests: number | null; fdr: number | null; critical_z: number | null }>(sql`
    select (summary->>'alert_tests')::INTEGER as tests, (summary->>'alert_partner_month_tests')::INTEGER as partner_month_tests,
      (summary->>'alert_fdr')::DOUBLE as fdr, (summary->>'alert_critical_z')::DOUBLE as critical_z
    from meta.runs where run_id = ${run.run_id}`);
  const tested = summary && summary.tests !== null && summary.fdr !== null
    ? { tests: summary.tests, partner_month_tests: summary.partner_month_tests ?? 0, fdr: summary.fdr, critical_z: summary.critical_z }
    : null;
  const rows = await wh.allJS<Omit<EngagementAlert, 'grain' | 'direction'> & { grain: string; direction: string }>(sql`
    select grain, partner_id, activity_type, strftime(month, '%Y-%m') as month, metric, direction, value,
      round(expected, 2) as expected, round(expected_low, 2) as expected_low, round(expected_high, 2) as expected_high,
      round(z, 2) as z, history_months, round(seasonal_index, 3) as seasonal_index, accounts, missing_accounts
    from model.engagement_alerts
    where run_id = ${run.run_id} and (${opts.partnerId ?? null}::VARCHAR is null or partner_id = ${opts.partnerId ?? null})
    order by abs(z) desc, partner_id, activity_type nulls first, month`);
  const alerts = rows.map((r) => ({
    ...r,
    grain: r.grain === 'partner' ? ('partner' as const) : ('partner_activity_type' as const),
    direction: r.direction === 'drop' ? ('drop' as const) : ('spike' as const),
  }));
  return { run, alerts, tested };
}

export type EngagementPipelineRow = {
  dimension: string;
  key: string;
  bucket: string;
  account_periods: number;
  mean_score: number | null;
  opportunities: number;
  pipeline: string;
  closed: number;
  wins: number;
  win_rate: number | null;
};

/**
 * Engagement quality buckets (Q1 lowest … and `exposure`) against the next-90-day pipeline and
 * win rate, per partner, activity type and overall. With `partnerId`, only that partner's rows.
 *
 * @example
 * const { rows } = await getEngagementPipeline(wh, { dimension: 'activity_type' });
 */
export async function getEngagementPipeline(
  wh: Warehouse,
  opts: { dimension?: 'partner' | 'activity_type' | 'all' | undefined; partnerId?: string | undefined; runId?: number | undefined } = {},
): Promise<{ run: EngagementRunRef; rows: EngagementPipelineRow[] }> {
  const run = await getEngagementRun(wh, { runId: opts.runId });
  const rows = await wh.all<EngagementPipelineRow>(sql`
    select dimension, key, bucket, account_periods, mean_score, opportunities, pipeline::VARCHAR as pipeline,
      closed, wins, win_rate
    from model.engagement_pipeline
    where run_id = ${run.run_id}
      and (${opts.dimension ?? null}::VARCHAR is null or dimension = ${opts.dimension ?? null})
      and (${opts.partnerId ?? null}::VARCHAR is null or (dimension = 'partner' and key = ${opts.partnerId ?? null}))
    order by dimension, key, bucket = 'exposure', bucket`);
  return { run, rows };
}
