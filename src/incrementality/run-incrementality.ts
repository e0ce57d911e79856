/**
 * Counterfactual incrementality where there is no holdout, per partner and per program.
 *
 * Design (bulk work in DuckDB; per-unit statistics over typed arrays loaded once):
 * 1. Engaged accounts of a unit: accounts with a touch of that partner (or of an activity of that
 *    program); the engagement month `e` is the month of the first such touch. Only accounts with at
 *    least one month before and one after the engagement month are eligible.
 * 2. Comparison pool: accounts never touched, sourced or registered by any partner (a seeded
 *    sample of at most `controlPool`), so the counterfactual is "no partner at all".
 * 3. Panel (load-incrementality-panel.ts, set-wise SQL): per (account, e) firmographics (ln
 *    employees, ln annual revenue), pre-period activity over the `preMonths` before `e`
 *    (non-partner touches, new-business opportunities and pipeline per month) and new-business
 *    pipeline and won revenue summed before and after `e`, for engaged accounts and for the pool
 *    at every engagement month.
 * 4. Propensity: logistic regression (IRLS) of engagement on the firmographics (see
 *    PROPENSITY_FEATURES for why pre-period activity is balanced by the DiD, not matched on);
 *    comparison accounts enter the fit at the engagement month of a random engaged account.
 * 5. Matching: each engaged account gets its `neighbours` nearest comparison accounts on the logit
 *    within its engagement month (with replacement), within a caliper of `caliper` standard
 *    deviations of the logit (Austin 2011). Balance: standardised mean differences before/after.
 * 6. Pooled difference-in-differences (estimate-unit-effect.ts): post-period difference of each
 *    pair minus a baseline monthly difference estimated over all pairs' pre-periods, scaled to
 *    each pair's observable post months (revenue months weighted by the share already closed).
 *    The engagement month itself is left out, as in the generator's truth (effects start the
 *    month after engagement).
 * 7. Incremental total = effect per matched account × eligible engaged accounts; 95 % percentile
 *    interval from a seeded Poisson bootstrap that resamples engaged and comparison accounts and
 *    matches again in every resample (controls reused by many pairs count once per resample). Fewer than `minMatched` pairs: "insufficient data
 *    (n=…)", no number.
 *
 * What is estimated is what the demo truth plants and a user asks for: new-business pipeline
 * created, and its won amount closed by the data end, in the months after engagement, summed over
 * the unit's engaged accounts. Expansion and renewal revenue are not part of it.
 *
 * Not yet: covariates beyond the canonical columns (industry, region), matching without
 * replacement, a second dialect.
 */
import { configHash, messageOf, fromMinor } from '../core/index.js';
import { sql, type Warehouse } from '../warehouse/index.js';
import { estimateUnitEffect, INCREMENTALITY_METRICS, type BalanceRow, type IncrementalityMetric } from './estimate-unit-effect.js';
import { findAttributionRun, getAttributionRun } from './find-attribution-run.js';
import { dropIncrementalityTables, loadIncrementalityPanel } from './load-incrementality-panel.js';

export const INCREMENTALITY_UNITS = ['partner', 'program'] as const;
export type IncrementalityUnit = (typeof INCREMENTALITY_UNITS)[number];
export { INCREMENTALITY_METRICS, type IncrementalityMetric, type BalanceRow } from './estimate-unit-effect.js';

export interface IncrementalityOptions {
  /** Which units to estimate; both by default. */
  by?: IncrementalityUnit | 'both';
  /** Attribution model whose latest run gives the attributed amounts (latest of any by default). */
  model?: string;
  seed?: number;
  bootstrapIterations?: number;
  /** Caliper in standard deviations of the logit of the propensity score. */
  caliper?: number;
  /** Fewer matched pairs than this: no estimate. */
  minMatched?: number;
  /** Comparison accounts sampled from the never-partnered pool. */
  controlPool?: number;
  /** Months of pre-period activity used as covariates. */
  preMonths?: number;
  /** Comparison accounts matched to each engaged account (nearest on the logit, with replacement). */
  neighbours?: number;
}

export interface IncrementalityRow {
  unit_kind: IncrementalityUnit;
  unit_id: string;
  metric: IncrementalityMetric;
  engaged_accounts: number;
  eligible_accounts: number;
  matched_accounts: number;
  control_accounts: number;
  /** Attributed amount (base currency, decimal string) from the attribution run. */
  attributed: string | null;
  incremental: string | null;
  ci_low: string | null;
  ci_high: string | null;
  att_per_account: number | null;
  /** incremental ÷ attributed. */
  incrementality_factor: number | null;
  method: string;
  note: string | null;
  balance: BalanceRow[];
}

export interface IncrementalityRun {
  run_id: number;
  attribution_run_id: number | null;
  attribution_model: string | null;
  rows: IncrementalityRow[];
  seconds: number;
}

const cents = (x: number): string => fromMinor(BigInt(Math.round(x * 100)));

/**
 * Estimates incremental revenue and pipeline per partner and per program and stores them as a
 * run (meta.runs kind 'incrementality', rows in model.incrementality).
 *
 * @example
 * const run = await runIncrementality(wh, { by: 'partner', model: 'linear', seed: 1 });
 * run.rows.filter((r) => r.metric === 'revenue').map((r) => [r.unit_id, r.incremental, r.ci_low, r.ci_high])
 */
export async function runIncrementality(wh: Warehouse, opts: IncrementalityOptions = {}): Promise<IncrementalityRun> {
  const started = Date.now();
  const o = {
    seed: opts.seed ?? 1,
    bootstrapIterations: opts.bootstrapIterations ?? 1000,
    caliper: opts.caliper ?? 0.2,
    minMatched: opts.minMatched ?? 30,
    controlPool: opts.controlPool ?? 20000,
    preMonths: opts.preMonths ?? 12,
    neighbours: opts.neighbours ?? 5,
  };
  const by = opts.by ?? 'both';
  const kinds = by === 'both' ? INCREMENTALITY_UNITS : [by];
  const attribution = opts.model ? await getAttributionRun(wh, { model: opts.model }) : await findAttributionRun(wh);
  const params = { ...o, by, attribution_run_id: attribution?.run_id ?? null, attribution_model: attribution?.model ?? null };
  const idRow = await wh.all<{ id: number }>(`select nextval('meta.run_seq')::integer as id`);
  const runId = Number(idRow[0]?.id);
  await wh.run(sql`insert into meta.runs (run_id, kind, model, params, config_hash, batch_ids, started_at, status)
    select ${runId}, 'incrementality', 'psm_did', ${JSON.stringify(params)}::json, ${configHash(params)},
      (select coalesce(list(distinct batch_id order by batch_id), []) from (
        select batch_id from core.touchpoints union all select batch_id from core.opportunities union all select batch_id from core.accounts
      ) where batch_id is not null),
      now(), 'running'`);
  try {
    const rows = await wh.transaction(async (tx) => {
      const panel = await loadIncrementalityPanel(tx, o);
      const units = await tx.all<{ unit_kind: IncrementalityUnit; unit_id: string; engaged: number }>(sql`
        with units as (
          select 'partner' as unit_kind, partner_id as unit_id from core.partners
          union select 'program', program from core.activities where program is not null
          union select unit_kind, unit_id from inc_first
        )
        select u.unit_kind, u.unit_id, count(f.account_id)::integer as engaged
        from units u left join inc_first f using (unit_kind, unit_id)
        group by all
        order by u.unit_kind, u.unit_id`);
      const attributed = await tx.all<{ unit_kind: string; unit_id: string; revenue: string; pipeline: string }>(sql`
        select 'partner' as unit_kind, c.partner_id as unit_id, sum(c.revenue_credit)::decimal(18,2)::varchar as revenue, sum(c.pipeline_credit)::decimal(18,2)::varchar as pipeline
        from model.credit_amounts c where c.run_id = ${attribution?.run_id ?? null}::integer and c.partner_id is not null
        group by all
        union all
        select 'program', a.program, sum(c.revenue_credit)::decimal(18,2)::varchar, sum(c.pipeline_credit)::decimal(18,2)::varchar
        from model.credits c join core.activities a on a.activity_id = c.activity_id
        where c.run_id = ${attribution?.run_id ?? null}::integer and c.partner_id is not null and a.program is not null
        group by all`);
      const out: IncrementalityRow[] = [];
      let index = 0;
      for (const u of units) {
        index++;
        if (!(kinds as readonly string[]).includes(u.unit_kind)) continue;
        const est = estimateUnitEffect(panel, panel.treatedByUnit.get(`${u.unit_kind}:${u.unit_id}`) ?? new Int32Array(0), {
          ...o,
          engaged: u.engaged,
          seed: o.seed * 7919 + index,
        });
        const att = attributed.find((a) => a.unit_kind === u.unit_kind && a.unit_id === u.unit_id);
        for (const metric of INCREMENTALITY_METRICS) {
          const m = est.perMetric[metric];
          const attributedAmount = attribution ? (att ? (metric === 'revenue' ? att.revenue : att.pipeline) : '0.00') : null;
          const attributedNumber = attributedAmount === null ? 0 : Number(attributedAmount);
          out.push({
            unit_kind: u.unit_kind,
            unit_id: u.unit_id,
            metric,
            engaged_accounts: u.engaged,
            eligible_accounts: est.eligible,
            matched_accounts: est.matched,
            control_accounts: est.controls,
            attributed: attributedAmount,
            incremental: m ? cents(m.total) : null,
            ci_low: m ? cents(m.low) : null,
            ci_high: m ? cents(m.high) : null,
            att_per_account: m ? Math.round(m.att * 100) / 100 : null,
            incrementality_factor: m && attributedNumber > 0 ? m.total / attributedNumber : null,
            method: `propensity-matched pooled difference-in-differences (IRLS logit on firmographics, ${o.neighbours} nearest neighbours with replacement, caliper ${o.caliper} sd of logit); 95% percentile interval from a Poisson bootstrap (${o.bootstrapIterations} resamples of engaged and comparison accounts, matched again in each; propensity model and caliper fixed), seed ${o.seed}`,
            note: est.note ?? (attribution ? null : 'no attribution run: attributed amount unknown'),
            balance: est.balance,
          });
        }
      }
      for (const r of out) {
        await tx.run(sql`insert into model.incrementality values (
          ${runId}, ${r.unit_kind}, ${r.unit_id}, ${r.metric}, ${r.engaged_accounts}, ${r.eligible_accounts}, ${r.matched_accounts},
          ${r.control_accounts}, ${r.attributed}::decimal(18,2), ${r.incremental}::decimal(18,2), ${r.ci_low}::decimal(18,2),
          ${r.ci_high}::decimal(18,2), ${r.att_per_account}::double, ${r.incrementality_factor}::double, ${r.method}, ${r.note},
          ${JSON.stringify(r.balance)}::json)`);
      }
      await dropIncrementalityTables(tx);
      await tx.run(sql`update meta.runs set status = 'succeeded', finished_at = now(), duration_ms = ${Date.now() - started}::integer,
        summary = ${JSON.stringify({ units: out.length / 2, estimated: out.filter((r) => r.incremental !== null).length / 2 })}::json
        where run_id = ${runId}`);
      return out;
    });
    return { run_id: runId, attribution_run_id: attribution?.run_id ?? null, attribution_model: attribution?.model ?? null, rows, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    await wh.run(sql`update meta.runs set status = 'failed', finished_at = now(), duration_ms = ${Date.now() - started}::integer,
      summary = ${JSON.stringify({ error: messageOf(error) })}::json where run_id = ${runId}`);
    throw error;
  }
}
