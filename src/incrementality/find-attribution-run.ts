/**
 * The attribution run other models read credit from: the latest successful run of a named
 * model, or of any model when none is named.
 */
import { JointlyError } from '../core/errors.js';
import { sql, type Warehouse } from '../warehouse/index.js';

export interface AttributionRunRef {
  run_id: number;
  model: string;
}

const LATEST_RUN = (model: string | null) => sql`
select run_id::integer as run_id, model
from meta.runs
where kind = 'attribution'
  and status = 'succeeded'
  and (${model}::varchar is null or model = ${model}::varchar)
order by run_id desc
limit 1`;

/**
 * Undefined when there is no such run.
 *
 * @example
 * const run = await findAttributionRun(wh, { model: 'linear' }); // { run_id: 3, model: 'linear' }
 */
export async function findAttributionRun(wh: Warehouse, opts: { model?: string | null } = {}): Promise<AttributionRunRef | undefined> {
  return wh.find<AttributionRunRef & Record<string, unknown>>(LATEST_RUN(opts.model ?? null));
}

/** Like findAttributionRun but throws NOT_FOUND with how to make one. */
export async function getAttributionRun(wh: Warehouse, opts: { model?: string | null } = {}): Promise<AttributionRunRef> {
  const run = await findAttributionRun(wh, opts);
  if (!run) {
    throw new JointlyError(
      'NOT_FOUND',
      opts.model
        ? `No successful attribution run of model "${opts.model}". Run \`jointly attribute --model ${opts.model}\` first.`
        : 'No successful attribution run. Run `jointly attribute` first.',
    );
  }
  return run;
}
