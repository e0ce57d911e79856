/**
 * Fast reload of an identical file. When a file with the same bytes (sha256) was loaded into the
 * same table by an earlier batch, and since then
 *   - no batch changed that table or a table it refers to (no core row, no account alias with a
 *     later batch id; fx_rates count as referenced by every table with money),
 *   - core holds as many rows of the table as right after that load (nothing was deleted), and
 *   - every row quarantined as a future timestamp is still more than a day after `now`,
 * then validating the file again cannot give another verdict: every row that was loaded, updated,
 * aliased or a duplicate then is a duplicate now, and every quarantined row is quarantined again
 * for the same reason. The shortcut records exactly that, set-wise and without reading the file:
 * rows_in from the earlier record, duplicates = rows_in - quarantined, and the earlier quarantine
 * rows copied under the new batch and file name. Otherwise the file is loaded normally.
 *
 * @example
 * const counts = await tryFastReload(wh, file, sha, { batchId: 7 });
 * if (!counts) await loadFile(...);
 */
import { TABLES, ident, type TableName, type Warehouse } from '../warehouse/index.js';
import type { FileCounts } from './load-file.js';
import { sqlString, type SourceFile } from './source-relation.js';
import { timestampExpr } from './typed-stage-sql.js';

const q = (n: string): string => ident(n);

/** Tables whose rows decide the verdicts of a file of `table` (references, fx, the opportunity of a stage). */
export function referencedTables(table: TableName): Set<TableName> {
  const refs = new Set<TableName>();
  for (const c of TABLES[table].columns) if (c.ref) refs.add(c.ref.table);
  if (TABLES[table].columns.some((c) => c.type === 'money')) refs.add('fx_rates');
  if (table === 'opportunity_stages') refs.add('opportunities');
  return refs;
}

/** Records what the next reload of this file needs (call after the file's rows are in core). */
export async function markLoadedFile(wh: Warehouse, file: SourceFile & { display: string }, sha256: string, batchId: number): Promise<void> {
  await wh.run(`insert into meta.ingest_file_marks
    select ${batchId}, ${sqlString(file.display)}, ${sqlString(file.table)}, ${sqlString(sha256)},
      (select count(*) from core.${q(file.table)})`);
}

/** The counts of the shortcut, or undefined when the file must be loaded normally. */
export async function tryFastReload(
  wh: Warehouse,
  file: SourceFile & { display: string },
  sha256: string,
  ctx: { batchId: number; now: Date },
): Promise<FileCounts | undefined> {
  const table = file.table;
  const prev = await wh.find<{ batch_id: number; file: string; rows_in: number; quarantined: number; core_rows_after: number }>(
    `select f.batch_id, f.file, f.rows_in::integer as rows_in, f.quarantined::integer as quarantined,
       m.core_rows_after::bigint::varchar as core_rows_after
     from meta.batch_files f
     join meta.ingest_file_marks m on m.batch_id = f.batch_id and m.file = f.file and m.table_name = f.table_name
     where f.table_name = ${sqlString(table)} and f.file_sha256 = ${sqlString(sha256)} and f.batch_id < ${ctx.batchId}
     order by f.batch_id desc limit 1`,
  );
  if (!prev) return undefined;
  const since = Number(prev.batch_id);
  const watched = new Set<TableName>([table, ...referencedTables(table)]);
  const changed = [...watched].map((t) => `exists (select 1 from core.${q(t)} where batch_id > ${since})`);
  if (watched.has('accounts')) changed.push(`exists (select 1 from core.account_aliases where batch_id > ${since})`);
  const state = await wh.get<{ changed: boolean; core_rows: string; future: boolean }>(
    `select (${changed.join(' or ')}) as changed,
       (select count(*) from core.${q(table)})::bigint::varchar as core_rows,
       exists (select 1 from meta.quarantine where batch_id = ${since} and file = ${sqlString(prev.file)}
               and reason_code = 'future_timestamp'
               and not coalesce(${timestampExpr(`json_extract_string(raw, '$.' || column_name)`)} >
                 timestamp '${ctx.now.toISOString().replace('T', ' ').replace('Z', '')}' + interval 1 day, false)) as future`,
    'no reload state',
  );
  if (state.changed || state.future || String(state.core_rows) !== String(prev.core_rows_after)) return undefined;

  await wh.run(`insert into meta.quarantine (batch_id, file, table_name, line, row_number, column_name, reason_code, reason, raw)
    select ${ctx.batchId}, ${sqlString(file.display)}, table_name, line, row_number, column_name, reason_code, reason, raw
    from meta.quarantine where batch_id = ${since} and file = ${sqlString(prev.file)}`);
  const rowsIn = Number(prev.rows_in);
  const quarantined = Number(prev.quarantined);
  const counts: FileCounts = {
    file: file.display,
    table,
    rows_in: rowsIn,
    loaded: 0,
    updated: 0,
    duplicates: rowsIn - quarantined,
    quarantined,
  };
  await wh.run(`insert into meta.batch_files
    select ${ctx.batchId}, ${sqlString(file.display)}, ${sqlString(table)}, ${sqlString(file.format)}, ${sqlString(sha256)},
      ${counts.rows_in}, 0, 0, ${counts.duplicates}, ${counts.quarantined}, null`);
  await markLoadedFile(wh, file, sha256, ctx.batchId);
  return counts;
}
