/**
 * One engagement run: credits of engagement units, quality scores for every grain, the relation
 * to later pipeline and the alerts, written in one transaction and recorded in meta.runs
 * (kind 'engagement', model = the attribution model used for the credits).
 */
import { configHash, messageOf } from '../core/index.js';
import { loadAttributionConfig, resolveModel } from '../attribution/index.js';
import type { Warehouse } from '../warehouse/index.js';
import { sql } from '../warehouse/index.js';
import { loadEngagementConfig } from './config.js';
import { prepareEngagementFacts } from './prepare-facts.js';
import { creditEngagement } from './credit-engagement.js';
import { SCORE_GRAINS, scoreEngagement } from './score-engagement.js';
import { detectAlerts } from './detect-alerts.js';
import { relatePipeline } from './relate-pipeline.js';

export interface EngagementRunSummary {
  run_id: number;
  model: string;
  units: number;
  unattributed_units: number;
  alerts: number;
  /** Series-months tested for alerts (partner and partner-activity-type), FDR and critical |z|. */
  alert_tests: number;
  alert_partner_month_tests: number;
  alert_fdr: number;
  alert_critical_z: number | null;
  data_end: string;
  seconds: number;
}

/**
 * Runs the engagement models and stores the outputs under a new run id.
 *
 * @example
 * const run = await runEngagement(wh, { model: 'linear' }); // { run_id: 17, units: 4863, alerts: 2, alert_tests: 310, … }
 */
export async function runEngagement(
  wh: Warehouse,
  opts: { model?: string | undefined; configDir?: string | undefined } = {},
): Promise<EngagementRunSummary> {
  const started = Date.now();
  const cfg = loadEngagementConfig(opts.configDir);
  const attributionCfg = loadAttributionConfig(opts.configDir);
  const model = resolveModel(attributionCfg, opts.model ?? cfg.attribution.default_model);
  const params = { model: model.name, spec: model.spec, windows: model.windows, engagement: { ...cfg, file: undefined } };
  const idRow = await wh.all<{ id: number }>(`select nextval('meta.run_seq')::integer as id`);
  const runId = Number(idRow[0]?.id);
  await wh.run(sql`insert into meta.runs (run_id, kind, model, params, config_hash, batch_ids, started_at, status)
    select ${runId}, 'engagement', ${model.name}, ${JSON.stringify(params)}::json, ${configHash(params)},
      (select coalesce(list(distinct batch_id order by batch_id), []) from (
        select batch_id from core.touchpoints union all select batch_id from core.usage
        union all select batch_id from core.opportunities
      ) where batch_id is not null),
      now(), 'running'`);
  try {
    const result = await wh.transaction(async (tx) => {
      await prepareEngagementFacts(tx, cfg);
      const credits = await creditEngagement(tx, { runId, model, cfg });
      for (const grain of SCORE_GRAINS) await scoreEngagement(tx, { runId, grain, cfg });
      await relatePipeline(tx, { runId, cfg });
      const alerts = await detectAlerts(tx, { runId, cfg });
      const data_end = await tx.all<{ data_end: string }>(`select data_end::VARCHAR as data_end from eng_asof`);
      return { ...credits, alerts, data_end: data_end[0]?.data_end ?? '' };
    });
    const summary: EngagementRunSummary = {
      run_id: runId,
      model: model.name,
      units: result.units,
      unattributed_units: result.unattributed,
      alerts: result.alerts.alerts,
      alert_tests: result.alerts.tests,
      alert_partner_month_tests: result.alerts.partner_month_tests,
      alert_fdr: result.alerts.fdr,
      alert_critical_z: result.alerts.critical_z === null ? null : Math.round(result.alerts.critical_z * 1000) / 1000,
      data_end: result.data_end,
      seconds: (Date.now() - started) / 1000,
    };
    await wh.run(sql`update meta.runs set status = 'succeeded', finished_at = now(),
      duration_ms = ${Date.now() - started}, summary = ${JSON.stringify(summary)}::json where run_id = ${runId}`);
    return summary;
  } catch (error) {
    await wh.run(sql`update meta.runs set status = 'failed', finished_at = now(),
      summary = ${JSON.stringify({ error: messageOf(error) })}::json where run_id = ${runId}`);
    throw error;
  } finally {
    for (const t of ['eng_asof', 'eng_shares', 'eng_touch', 'eng_customer', 'eng_customer_link', 'eng_unit', 'eng_path', 'eng_decay', 'eng_alert_test', 'eng_alert_kept']) {
      await wh.run(`drop table if exists ${t}`);
    }
  }
}
