/**
 * Reads a stored forecast (model.forecast of a 'forecast' run): the latest successful one unless
 * a run id is given; optionally one partner. For the API and dashboard: never recomputes.
 */
import { JointlyError } from '../core/index.js';
import { sql, type Warehouse } from '../warehouse/index.js';
import type { Forecast, ForecastRow } from './create-forecast.js';

/**
 * @example
 * const f = await getForecast(wh, { partnerId: 'P1' });
 * f.rows // [{ quarter: '2026-Q4', expected_revenue: '1234.50', ... }]
 */
export async function getForecast(wh: Warehouse, opts: { runId?: number | undefined; partnerId?: string | undefined } = {}): Promise<Forecast> {
  const run = await wh.find<{ run_id: number; params: string; summary: string }>(sql`
    select run_id::INTEGER as run_id, params::VARCHAR as params, summary::VARCHAR as summary from meta.runs
    where kind = 'forecast' and status = 'succeeded' and (${opts.runId ?? null}::INTEGER is null or run_id = ${opts.runId ?? null}::INTEGER)
    order by run_id desc limit 1`);
  if (!run) throw new JointlyError('NOT_FOUND', opts.runId !== undefined ? `No successful forecast run ${opts.runId}.` : 'No forecast yet. Run `jointly forecast` first.');
  const params = JSON.parse(run.params) as { as_of: string; quarters: string[] };
  const summary = JSON.parse(run.summary) as Pick<Forecast, 'stages' | 'overall_win_rate'>;
  const rows = await wh.all<ForecastRow & Record<string, unknown>>(sql`
    select quarter, partner_id, opportunities, pipeline::VARCHAR as pipeline, expected_revenue::VARCHAR as expected_revenue,
      expected_revenue_low::VARCHAR as expected_revenue_low, expected_revenue_high::VARCHAR as expected_revenue_high,
      incremental_revenue::VARCHAR as incremental_revenue, expected_payout::VARCHAR as expected_payout,
      expected_payout_low::VARCHAR as expected_payout_low, expected_payout_high::VARCHAR as expected_payout_high
    from model.forecast
    where run_id = ${run.run_id} and (${opts.partnerId ?? null}::VARCHAR is null or partner_id = ${opts.partnerId ?? null}::VARCHAR)
    order by quarter, partner_id`);
  return { run_id: Number(run.run_id), as_of: params.as_of, quarters: params.quarters, stages: summary.stages, overall_win_rate: summary.overall_win_rate, rows };
}
