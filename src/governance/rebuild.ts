/**
 * Reproducibility: re-runs a past attribution run with the configuration and data it recorded and
 * compares the credits row by row (set-wise in SQL). The configuration must hash to the run's
 * recorded `config_hash` (restore the old config folder and pass it as configDir otherwise); the
 * batches the warehouse holds now are compared with the run's `batch_ids` and reported.
 *
 * Not yet: the warehouse is not rewound to the run's batches (core.*_history would allow it), so a
 * rebuild after later loads reports `batches.matches: false` and the differences they cause.
 */
import { configHash } from '../core/config.js';
import { JointlyError } from '../core/errors.js';
import { loadAttributionConfig, runAttribution } from '../attribution/index.js';
import { sql, type Warehouse } from '../warehouse/index.js';
import { recordAudit } from './audit.js';

export interface RebuildResult {
  originalRunId: number;
  rebuiltRunId: number;
  model: string;
  configHash: { recorded: string; current: string; matches: boolean };
  batches: { recorded: number[]; current: number[]; matches: boolean };
  rows: { original: number; rebuilt: number; differing: number };
  pipelineTotal: { original: string; rebuilt: string };
  revenueTotal: { original: string; rebuilt: string };
  isIdentical: boolean;
}

// The batches an attribution run reads (same tables as src/attribution/run-attribution.ts records).
const CURRENT_BATCHES_SQL = `
select coalesce(list(distinct batch_id order by batch_id), []) as batch_ids
from (
  select batch_id from core.touchpoints union all select batch_id from core.opportunities
  union all select batch_id from core.activities union all select batch_id from core.partners
  union all select batch_id from core.contacts union all select batch_id from core.opportunity_contacts
)
where batch_id is not null`;

const COMPARE_SQL = `
with original as (
  select opportunity_id, purpose, coalesce(touchpoint_id, '') as touchpoint_id, coalesce(partner_id, '') as partner_id,
         sum(pipeline_credit) as pipeline_credit, sum(revenue_credit) as revenue_credit
  from model.credits where run_id = $1 group by all
),
rebuilt as (
  select opportunity_id, purpose, coalesce(touchpoint_id, '') as touchpoint_id, coalesce(partner_id, '') as partner_id,
         sum(pipeline_credit) as pipeline_credit, sum(revenue_credit) as revenue_credit
  from model.credits where run_id = $2 group by all
)
select count(o.opportunity_id)::integer as original,
       count(r.opportunity_id)::integer as rebuilt,
       count(*) filter (where o.opportunity_id is null or r.opportunity_id is null
                          or o.pipeline_credit <> r.pipeline_credit or o.revenue_credit <> r.revenue_credit)::integer as differing,
       coalesce(sum(o.pipeline_credit), 0)::decimal(18,2)::varchar as original_pipeline,
       coalesce(sum(r.pipeline_credit), 0)::decimal(18,2)::varchar as rebuilt_pipeline,
       coalesce(sum(o.revenue_credit), 0)::decimal(18,2)::varchar as original_revenue,
       coalesce(sum(r.revenue_credit), 0)::decimal(18,2)::varchar as rebuilt_revenue
from original o
full join rebuilt r
  on r.opportunity_id = o.opportunity_id and r.purpose = o.purpose
 and r.touchpoint_id = o.touchpoint_id and r.partner_id = o.partner_id`;

function windowCandidates(params: unknown): (number | undefined)[] {
  const found = new Set<number>();
  const walk = (v: unknown) => {
    if (typeof v === 'number' && Number.isInteger(v)) found.add(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  if (params && typeof params === 'object' && 'windows' in params) walk(params.windows);
  return [undefined, ...[...found].sort((a, b) => a - b)];
}

/**
 * Re-runs attribution run `runId` and compares its credits with the original.
 *
 * @example
 * const r = await rebuildRun(wh, { runId: 7, actor: 'cli:ana' });
 * r.isIdentical // true when nothing changed since run 7
 */
export async function rebuildRun(wh: Warehouse, opts: { runId: number; actor: string; configDir?: string }): Promise<RebuildResult> {
  const run = await wh.find<{ kind: string; model: string; status: string; config_hash: string | null; params: string | null; batch_ids: number[] | null }>(
    sql`select kind, model, status, config_hash, params::varchar as params, batch_ids from meta.runs where run_id = ${opts.runId}`,
  );
  if (!run) throw new JointlyError('NOT_FOUND', `No run ${opts.runId}.`);
  if (run.kind !== 'attribution') throw new JointlyError('BAD_ARGUMENT', `Run ${opts.runId} is a ${run.kind} run; only attribution runs can be rebuilt yet.`);
  if (run.status !== 'succeeded') throw new JointlyError('CONFLICT', `Run ${opts.runId} did not succeed (${run.status}); there is nothing to reproduce.`);
  const cfg = loadAttributionConfig(opts.configDir);
  const params: unknown = run.params ? JSON.parse(run.params) : null;
  let windowDays: number | undefined;
  let current = '';
  let matched = false;
  for (const candidate of windowCandidates(params)) {
    current = configHash({ models: cfg.models, windows: cfg.windows, window_days: candidate ?? null });
    if (current === run.config_hash) {
      windowDays = candidate;
      matched = true;
      break;
    }
  }
  if (!matched) {
    current = configHash({ models: cfg.models, windows: cfg.windows, window_days: null });
    throw new JointlyError(
      'CONFLICT',
      `The attribution configuration changed since run ${opts.runId} (recorded hash ${run.config_hash ?? 'none'}, now ${current}). ` +
        'Restore the configuration of that time and pass its folder with --config.',
    );
  }
  const batches = await wh.get<{ batch_ids: number[] }>(CURRENT_BATCHES_SQL, 'batches');
  const rebuilt = await runAttribution(wh, { model: run.model, windowDays, configDir: opts.configDir });
  const cmp = await wh.get<{ original: number; rebuilt: number; differing: number; original_pipeline: string; rebuilt_pipeline: string; original_revenue: string; rebuilt_revenue: string }>(
    { text: COMPARE_SQL, values: [opts.runId, rebuilt.run_id] },
    'comparison',
  );
  const recordedBatches = (run.batch_ids ?? []).map(Number);
  const currentBatches = batches.batch_ids.map(Number);
  const result: RebuildResult = {
    originalRunId: opts.runId,
    rebuiltRunId: rebuilt.run_id,
    model: run.model,
    configHash: { recorded: run.config_hash ?? '', current, matches: true },
    batches: { recorded: recordedBatches, current: currentBatches, matches: recordedBatches.join(',') === currentBatches.join(',') },
    rows: { original: cmp.original, rebuilt: cmp.rebuilt, differing: cmp.differing },
    pipelineTotal: { original: cmp.original_pipeline, rebuilt: cmp.rebuilt_pipeline },
    revenueTotal: { original: cmp.original_revenue, rebuilt: cmp.rebuilt_revenue },
    isIdentical: cmp.differing === 0,
  };
  await recordAudit(wh, {
    actor: opts.actor,
    action: 'model.rebuild',
    target: `run:${opts.runId}`,
    details: { rebuilt_run_id: rebuilt.run_id, identical: result.isIdentical, differing_rows: cmp.differing, batches_match: result.batches.matches },
  });
  return result;
}
