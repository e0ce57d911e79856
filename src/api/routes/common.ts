/** Query parameters shared by the report routes. */
import { z } from 'zod';
import { JointlyError } from '../../core/errors.js';
import { PARTNER_TYPES, sql, type Warehouse } from '../../warehouse/index.js';

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'expected a real calendar date');

/** The model the dashboard and API read when none is asked for (if it has a run). */
export const DEFAULT_MODEL = 'position_based';

export const reportParams = {
  model: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'expected a model name such as linear or first_touch')
    .optional()
    .describe(`Attribution model (default: ${DEFAULT_MODEL} when it has a run, else the most recently run model).`),
  from: isoDate.optional().describe('Period start, inclusive (YYYY-MM-DD).'),
  to: isoDate.optional().describe('Period end, inclusive (YYYY-MM-DD).'),
  partnerId: z.string().min(1).max(200).optional().describe('Only this partner (partner tokens: only their own).'),
};

export const partnerTypeParam = z.enum(PARTNER_TYPES).optional().describe('Only partners of this type.');
export const programParam = z.string().min(1).max(200).optional().describe('Only this program.');

/** Checks from <= to. */
export function checkPeriod(q: { from?: string | undefined; to?: string | undefined }): void {
  if (q.from && q.to && q.from > q.to) {
    throw new JointlyError('BAD_ARGUMENT', `Bad request: "from" (${q.from}) is after "to" (${q.to}).`);
  }
}

/**
 * The model to read: the one asked for, else DEFAULT_MODEL when it has a run, else the most
 * recently run one; NO_DATA when none.
 *
 * @example
 * await resolveModelName(wh, undefined) // => { model: 'position_based', runId: 7 }
 */
export async function resolveModelName(wh: Warehouse, model: string | undefined): Promise<{ model: string; runId: number }> {
  const row = await wh.find<{ model: string; run_id: number }>(sql`
    select model, run_id::integer as run_id
    from meta.runs
    where kind = 'attribution'
      and status = 'succeeded'
      and (${model ?? null}::varchar is null or model = ${model ?? null})
    order by (model = ${DEFAULT_MODEL}) desc, run_id desc
    limit 1`);
  if (!row) {
    throw new JointlyError(
      'NO_DATA',
      model
        ? `No successful run of the attribution model "${model}". Run \`jointly attribute --model ${model}\` first.`
        : 'No attribution run yet. Run `jointly attribute` (or `jointly demo`) first.',
    );
  }
  return { model: row.model, runId: row.run_id };
}

/**
 * DECIMAL strings from the store can carry more than two decimals; shows cents (truncated, as
 * the stored amounts are already rounded to cents).
 *
 * @example
 * cents('12.3') // => '12.30'
 */
export function cents(v: string | null): string | null {
  if (v === null) return null;
  const n = /^(-?)(\d+)(?:\.(\d*))?$/.exec(v);
  if (!n) return v;
  const frac = ((n[3] ?? '') + '00').slice(0, 2);
  return `${n[1]}${n[2]}.${frac}`;
}
