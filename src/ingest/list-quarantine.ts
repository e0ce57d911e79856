/**
 * Lists quarantined rows (newest batch first, then file and row), optionally of one batch.
 *
 * @example
 * const rows = await listQuarantine(wh, { batchId: 3, limit: 100 });
 * // [{ batch_id: 3, file: 'demo/touchpoints.csv', table: 'touchpoints', line: 17, row_number: 16,
 * //    column: 'partner_id', reason_code: 'unknown_partner', reason: '...', raw: {...} }]
 */
import { sql, type Warehouse } from '../warehouse/index.js';
import type { ReasonCode } from './reason-codes.js';

export interface QuarantinedRow {
  batch_id: number;
  file: string;
  table: string;
  line: number | null;
  row_number: number;
  column: string | null;
  reason_code: ReasonCode;
  reason: string;
  raw: Record<string, unknown> | null;
}

export interface ListQuarantineOptions {
  batchId?: number;
  limit?: number;
}

interface Row extends Record<string, unknown> {
  batch_id: number;
  file: string;
  table: string;
  line: number | null;
  row_number: number;
  column: string | null;
  reason_code: ReasonCode;
  reason: string;
  raw: string | null;
}

/** Quarantined rows, with the raw row parsed back to an object (personal data already masked). */
export async function listQuarantine(wh: Warehouse, opts: ListQuarantineOptions = {}): Promise<QuarantinedRow[]> {
  const rows = await wh.all<Row>(sql`select batch_id, file, table_name as "table", line::integer as line,
      row_number::integer as row_number, column_name as "column", reason_code, reason, raw::varchar as raw
    from meta.quarantine
    where ${opts.batchId ?? null}::integer is null or batch_id = ${opts.batchId ?? null}::integer
    order by batch_id desc, file, row_number
    limit ${opts.limit ?? 1_000_000_000}::bigint`);
  return rows.map((r) => ({ ...r, raw: r.raw === null ? null : (JSON.parse(r.raw) as Record<string, unknown>) }));
}

/** Counts of quarantined rows by batch, file and reason. */
export async function countQuarantine(wh: Warehouse, opts: { batchId?: number } = {}): Promise<number> {
  const row = await wh.find<{ n: number }>(sql`select count(*)::integer as n from meta.quarantine
    where ${opts.batchId ?? null}::integer is null or batch_id = ${opts.batchId ?? null}::integer`);
  return row?.n ?? 0;
}
