/**
 * Reads a stored incrementality run (the latest successful one unless a run id is given), for the
 * CLI, reports and the API: no recomputation on a page load.
 */
import { JointlyError } from '../core/errors.js';
import { sql, type Warehouse } from '../warehouse/index.js';
import type { BalanceRow, IncrementalityMetric, IncrementalityRow, IncrementalityUnit } from './run-incrementality.js';

const RESULTS = (runId: number, by: string | null) => sql`
select unit_kind, unit_id, metric, engaged_accounts, eligible_accounts, matched_accounts, control_accounts,
  attributed::varchar as attributed, incremental::varchar as incremental, ci_low::varchar as ci_low, ci_high::varchar as ci_high,
  att_per_account, incrementality_factor, method, note, balance::varchar as balance
from model.incrementality
where run_id = ${runId}::integer and (${by}::varchar is null or unit_kind = ${by}::varchar)
order by unit_kind, unit_id, case metric when 'revenue' then 0 else 1 end`;

interface StoredRow extends Record<string, unknown> {
  unit_kind: IncrementalityUnit;
  unit_id: string;
  metric: IncrementalityMetric;
  engaged_accounts: number;
  eligible_accounts: number;
  matched_accounts: number;
  control_accounts: number;
  attributed: string | null;
  incremental: string | null;
  ci_low: string | null;
  ci_high: string | null;
  att_per_account: number | null;
  incrementality_factor: number | null;
  method: string;
  note: string | null;
  balance: string | null;
}

function parseBalance(text: string | null): BalanceRow[] {
  if (!text) return [];
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) return [];
  return value.flatMap((v: unknown) => {
    if (typeof v !== 'object' || v === null) return [];
    const feature = 'feature' in v && typeof v.feature === 'string' ? v.feature : undefined;
    const before = 'smd_before' in v && typeof v.smd_before === 'number' ? v.smd_before : undefined;
    const after = 'smd_after' in v && typeof v.smd_after === 'number' ? v.smd_after : undefined;
    return feature !== undefined && before !== undefined && after !== undefined ? [{ feature, smd_before: before, smd_after: after }] : [];
  });
}

/**
 * @example
 * const { run_id, rows } = await getIncrementalityResults(wh, { by: 'partner' });
 */
export async function getIncrementalityResults(
  wh: Warehouse,
  opts: { runId?: number; by?: IncrementalityUnit } = {},
): Promise<{ run_id: number; rows: IncrementalityRow[] }> {
  let runId = opts.runId;
  if (runId === undefined) {
    // The latest successful run that estimated this kind of unit (a run may cover only one kind).
    const latest = await wh.find<{ run_id: number }>(sql`
      select max(r.run_id)::integer as run_id
      from meta.runs r
      where r.kind = 'incrementality' and r.status = 'succeeded'
        and exists (
          select 1 from model.incrementality i
          where i.run_id = r.run_id and (${opts.by ?? null}::varchar is null or i.unit_kind = ${opts.by ?? null}::varchar))`);
    if (latest?.run_id === null || latest?.run_id === undefined) {
      throw new JointlyError('NOT_FOUND', 'No incrementality run yet. Run `jointly incrementality` first.');
    }
    runId = latest.run_id;
  } else {
    await wh.get(sql`select run_id from meta.runs where run_id = ${runId}::integer and kind = 'incrementality'`, `No incrementality run ${runId}.`);
  }
  const rows = await wh.allJS<StoredRow>(RESULTS(runId, opts.by ?? null));
  return {
    run_id: runId,
    rows: rows.map((r) => ({ ...r, balance: parseBalance(r.balance) })),
  };
}
