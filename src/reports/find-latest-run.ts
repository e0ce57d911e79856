/**
 * Which attribution run a report reads: the given run, or the latest successful run of a model.
 */
import { JointlyError } from '../core/index.js';
import type { Warehouse } from '../warehouse/index.js';
import { sql } from '../warehouse/index.js';

export type RunInfo = {
  run_id: number;
  model: string;
  started_at: string;
  finished_at: string | null;
  config_hash: string | null;
}

/**
 * The latest successful attribution run of `model` (or run `runId`), or undefined.
 *
 * @example
 * await findLatestRun(wh, { model: 'linear' }) // { run_id: 3, model: 'linear', … }
 */
export async function findLatestRun(
  wh: Warehouse,
  opts: { model?: string | undefined; runId?: number | undefined },
): Promise<RunInfo | undefined> {
  const rows = await wh.all<RunInfo>(sql`
    select run_id, model, started_at::VARCHAR as started_at, finished_at::VARCHAR as finished_at, config_hash
    from meta.runs
    where kind = 'attribution' and status = 'succeeded'
      and (${opts.model ?? null}::VARCHAR is null or model = ${opts.model ?? null})
      and (${opts.runId ?? null}::INTEGER is null or run_id = ${opts.runId ?? null})
    order by run_id desc
    limit 1`);
  const r = rows[0];
  return r ? { ...r, run_id: Number(r.run_id) } : undefined;
}

/**
 * Like findLatestRun but throws NO_DATA with a hint when there is no such run.
 *
 * @example
 * const run = await getLatestRun(wh, { model: 'linear' });
 */
export async function getLatestRun(
  wh: Warehouse,
  opts: { model?: string | undefined; runId?: number | undefined },
): Promise<RunInfo> {
  const run = await findLatestRun(wh, opts);
  if (!run) {
    throw new JointlyError(
      'NO_DATA',
      opts.runId !== undefined
        ? `No successful attribution run ${opts.runId}${opts.model ? ` of model ${opts.model}` : ''}.`
        : `No successful attribution run of model "${opts.model ?? 'any'}". Run \`jointly attribute --model ${opts.model ?? 'NAME'}\` first.`,
    );
  }
  return run;
}
