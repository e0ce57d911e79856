/**
 * One attribution run: resolve the model from attribution.yaml, record it in meta.runs, build
 * eligibility, compute weights and credits in SQL, check the contract, write sourced/influenced
 * and the report tables — all in one transaction, so a failed run leaves only its `failed` record.
 */
import { JointlyError, configHash, messageOf } from '../core/index.js';
import type { Warehouse } from '../warehouse/index.js';
import { sql } from '../warehouse/index.js';
import { loadAttributionConfig, resolveModel } from './config.js';
import { buildEligibility, dropEligibility } from './eligibility.js';
import { modelSql } from './models/index.js';
import { splitCredits, writeCredits } from './credits.js';
import { checkCreditInvariants, type CreditedTotals } from './invariants.js';
import { writeInvolvement } from './involvement.js';
import { writeReportFacts } from './report-facts.js';

export interface RunOptions {
  /** A model name from attribution.yaml, e.g. 'linear'. */
  model: string;
  /** Replaces every lookback window (days). */
  windowDays?: number | undefined;
  /** Folder holding attribution.yaml (`--config`). */
  configDir?: string | undefined;
}

/** What `jointly attribute --json` prints (money as decimal strings). */
export interface RunSummary {
  run_id: number;
  model: string;
  opportunities: number;
  pipeline_total: string;
  revenue_total: string;
  credited_pipeline_total: string;
  credited_revenue_total: string;
}

/**
 * Runs one model over the whole warehouse and returns its totals.
 *
 * @example
 * const s = await runAttribution(wh, { model: 'linear' });
 * s.credited_pipeline_total === s.pipeline_total // always
 */
export async function runAttribution(wh: Warehouse, opts: RunOptions): Promise<RunSummary> {
  return runOne(wh, opts, { reuse: false, keep: false });
}

/** Eligibility temp tables left by the previous run of this connection (runAllModels), by windows. */
const kept = new WeakMap<Warehouse, string>();

async function runOne(wh: Warehouse, opts: RunOptions, share: { reuse: boolean; keep: boolean }): Promise<RunSummary> {
  const cfg = loadAttributionConfig(opts.configDir);
  const resolved = resolveModel(cfg, opts.model, opts.windowDays);
  const count = await wh.all<{ n: number }>(`select count(*)::INTEGER as n from core.opportunities`);
  if ((count[0]?.n ?? 0) === 0) {
    throw new JointlyError('NO_DATA', 'No opportunities in the warehouse. Load data first with `jointly ingest DIR`.');
  }
  const params = { model: resolved.name, type: resolved.spec.type, spec: resolved.spec, windows: resolved.windows, config_file: resolved.file };
  const hash = configHash({ models: cfg.models, windows: cfg.windows, window_days: opts.windowDays ?? null });
  const idRow = await wh.all<{ id: number }>(`select nextval('meta.run_seq')::INTEGER as id`);
  const runId = Number(idRow[0]?.id);
  const started = Date.now();
  await wh.run(sql`insert into meta.runs (run_id, kind, model, params, config_hash, batch_ids, started_at, status)
    select ${runId}, 'attribution', ${resolved.name}, ${JSON.stringify(params)}::JSON, ${hash},
      (select coalesce(list(distinct batch_id order by batch_id), []) from (
        select batch_id from core.touchpoints union all select batch_id from core.opportunities
        union all select batch_id from core.activities union all select batch_id from core.partners
        union all select batch_id from core.contacts union all select batch_id from core.opportunity_contacts
      ) where batch_id is not null),
      now(), 'running'`);
  const timings: Record<string, number> = {};
  const info: Record<string, unknown> = {};
  const step = async (name: string, fn: () => Promise<void>) => {
    const t = Date.now();
    await fn();
    timings[name] = Date.now() - t;
  };
  // Temp tables and credits are written in parallel without keeping insertion order (no order
  // is part of the contract; explain and reports sort explicitly).
  const order = await wh.all<{ v: string }>(`select current_setting('preserve_insertion_order')::VARCHAR as v`);
  await wh.run('set preserve_insertion_order = false');
  try {
    // Connection-local temp tables (eligibility, model lookups, split credits) are built before
    // the transaction: DuckDB builds them ~1.7x slower inside one (measured at 10M touches), and
    // they are not outputs. The outputs (credits, sourced, report tables, the run's status) are
    // written in one transaction, so a failed run still leaves only its `failed` record.
    const model = modelSql(cfg, resolved.name, info);
    const windowsKey = JSON.stringify(resolved.windows);
    if (share.reuse && kept.get(wh) === windowsKey) {
      timings['eligibility_ms'] = 0;
      info['eligibility'] = 'reused from the previous model of this batch of runs';
    } else {
      kept.delete(wh);
      // Kept for the next model of a batch: every position; alone: only what this model reads.
      const positions = share.keep ? 'all' : (model.positions ?? 'all');
      await step('eligibility_ms', () => buildEligibility(wh, { windows: resolved.windows, positions }));
    }
    await step('prepare_ms', async () => {
      if (model.prepare) await model.prepare(wh);
    });
    await step('split_ms', () => splitCredits(wh, { model }));
    const summary = await wh.transaction(async (tx) => {
      await step('credits_ms', () => writeCredits(tx, { runId }));
      timings['credits_ms'] = (timings['credits_ms'] ?? 0) + (timings['split_ms'] ?? 0);
      let credited: CreditedTotals | undefined;
      await step('invariants_ms', async () => {
        credited = await checkCreditInvariants(tx, runId);
      });
      await step('involvement_ms', () => writeInvolvement(tx, runId));
      await step('report_facts_ms', () => writeReportFacts(tx, runId));
      // The split rows are this model's own; a kept eligibility does not need them.
      for (const t of ['att_split', 'att_extra', 'att_spare']) await tx.run(`drop table if exists ${t}`);
      const totals = await tx.all<Omit<RunSummary, 'run_id' | 'model' | keyof CreditedTotals>>(sql`
        select
          (select count(*)::INTEGER from att_opp) as opportunities,
          (select (coalesce(sum(cents), 0)::DECIMAL(38,2) / 100)::DECIMAL(18,2) from att_opp)::VARCHAR as pipeline_total,
          (select (coalesce(sum(cents) filter (where is_won), 0)::DECIMAL(38,2) / 100)::DECIMAL(18,2) from att_opp)::VARCHAR as revenue_total`);
      const t = totals[0];
      if (!t || !credited) throw new JointlyError('INTERNAL', 'Run totals query returned no row.');
      const result: RunSummary = {
        run_id: runId, model: resolved.name, ...t, ...credited, opportunities: Number(t.opportunities),
      };
      await tx.run(sql`update meta.runs set status = 'succeeded', finished_at = now(),
          duration_ms = ${Date.now() - started}::INTEGER,
          summary = ${JSON.stringify({ ...result, timings, ...info })}::JSON
        where run_id = ${runId}`);
      if (share.keep) kept.set(wh, windowsKey);
      else {
        kept.delete(wh);
        await dropEligibility(tx);
      }
      return result;
    });
    return summary;
  } catch (error) {
    kept.delete(wh);
    // Temp tables built outside the transaction are not rolled back: drop them here.
    await dropEligibility(wh);
    await wh.run(sql`update meta.runs set status = 'failed', finished_at = now(),
        duration_ms = ${Date.now() - started}::INTEGER,
        summary = ${JSON.stringify({ error: messageOf(error) })}::JSON
      where run_id = ${runId}`);
    throw error;
  } finally {
    await wh.run(`set preserve_insertion_order = ${order[0]?.v === 'false' ? 'false' : 'true'}`);
  }
}

/**
 * Runs every model of attribution.yaml in turn; a failing model is reported, the others still run.
 * Models with the same windows reuse one eligibility build.
 *
 * @example
 * const { runs, failures } = await runAllModels(wh, {});
 */
export async function runAllModels(
  wh: Warehouse,
  opts: { windowDays?: number | undefined; configDir?: string | undefined },
): Promise<{ runs: RunSummary[]; failures: { model: string; error: string }[] }> {
  const cfg = loadAttributionConfig(opts.configDir);
  const runs: RunSummary[] = [];
  const failures: { model: string; error: string }[] = [];
  // Models with the same windows share one eligibility build (same data, same connection).
  try {
    for (const model of Object.keys(cfg.models)) {
      try {
        runs.push(await runOne(wh, { ...opts, model }, { reuse: true, keep: true }));
      } catch (error) {
        if (error instanceof JointlyError && error.code === 'NO_DATA') throw error;
        failures.push({ model, error: messageOf(error) });
      }
    }
  } finally {
    kept.delete(wh);
    await dropEligibility(wh);
  }
  return { runs, failures };
}
