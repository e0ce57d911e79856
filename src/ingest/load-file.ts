/**
 * Loads one file inside the batch's transaction: raw copy (CSV/NDJSON: the file as read, in file
 * order, to a Parquet file in the batch's scratch folder) -> typed stage (one parallel statement)
 * -> within-file duplicates -> account aliases -> history of replaced rows -> core -> quarantine -> counts,
 * then checks in SQL that rows_in = loaded + updated + duplicates + quarantined and that core and
 * quarantine hold exactly those rows. Every step is one set-wise statement.
 *
 * Not yet: structurally broken CSV rows (wrong number of fields) make the file unreadable rather
 * than being quarantined one by one.
 *
 * @example
 * const counts = await loadFile(wh, { path: 'x/partners.csv', format: 'csv', table: 'partners' }, ctx);
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { JointlyError, messageOf } from '../core/errors.js';
import { TABLES, ident, type TableName, type Warehouse } from '../warehouse/index.js';
import { shortReason, sqlString, type SourceFile, type SourceRelation } from './source-relation.js';
import { typedStageSql, type StageContext } from './typed-stage-sql.js';
import { markLoadedFile, referencedTables } from './reload-shortcut.js';

export interface FileCounts {
  file: string;
  table: TableName;
  rows_in: number;
  loaded: number;
  updated: number;
  duplicates: number;
  quarantined: number;
}

const q = (n: string): string => ident(n);
const STAGE = 'ingest_stage';

async function loadedTables(wh: Warehouse, table: TableName): Promise<Set<TableName>> {
  const refs = referencedTables(table);
  const loaded = new Set<TableName>();
  for (const t of refs) {
    const row = await wh.find<{ n: number }>(`select count(*)::integer as n from (select 1 from core.${q(t)} limit 1)`);
    if (row && row.n > 0) loaded.add(t);
  }
  return loaded;
}

async function refreshMaps(wh: Warehouse, loaded: Set<TableName>): Promise<void> {
  if (loaded.has('partners')) {
    // Ids first, then aliases; both matched case-insensitively. An alias two partners share goes
    // to the first partner id in sort order.
    await wh.run(`create or replace temp table ingest_partner_map as
      select k, partner_id from (
        select lower(partner_id) as k, partner_id, 0 as pri from core.partners
        union all
        select lower(trim(a)) as k, partner_id, 1 as pri from (select partner_id, unnest(aliases) as a from core.partners)
      )
      qualify row_number() over (partition by k order by pri, partner_id) = 1`);
  }
  if (loaded.has('accounts')) {
    await wh.run(`create or replace temp table ingest_account_map as
      select account_id as k, account_id from core.accounts
      union all
      select alias_id as k, account_id from core.account_aliases`);
  }
}

/** With JOINTLY_INGEST_TIMING=1, prints how long each step of a file took (stderr). */
function stepTimer(file: string): (step: string) => void {
  const on = Boolean(process.env['JOINTLY_INGEST_TIMING']);
  const cpu = (): number => {
    const u = process.resourceUsage();
    return (u.userCPUTime + u.systemCPUTime) / 1000;
  };
  let last = process.hrtime.bigint();
  let lastCpu = cpu();
  return (step) => {
    if (!on) return;
    const now = process.hrtime.bigint();
    const nowCpu = cpu();
    process.stderr.write(`ingest ${file} ${step}: ${(Number(now - last) / 1e6).toFixed(0)} ms, cpu ${(nowCpu - lastCpu).toFixed(0)} ms\n`);
    last = now;
    lastCpu = nowCpu;
  };
}

/** Errors of the readers (encoding, CSV structure, JSON syntax), as opposed to faults of ours. */
function isReadError(error: unknown): boolean {
  return /CSV Error|Invalid unicode|not utf-8|IO Error|No files found|Malformed JSON|JSON|Parquet|Invalid Input Error/i.test(
    messageOf(error),
  );
}

/** Runs `work` with preserve_insertion_order off, then restores the previous value. */
async function withoutInsertionOrder(wh: Warehouse, work: () => Promise<unknown>): Promise<void> {
  const row = await wh.get<{ v: string }>(`select current_setting('preserve_insertion_order')::varchar as v`, 'no setting');
  await wh.run('set preserve_insertion_order = false');
  try {
    await work();
  } finally {
    await wh.run(`set preserve_insertion_order = ${row.v === 'false' ? 'false' : 'true'}`);
  }
}

/** Loads one file; the caller holds the transaction. */
export async function loadFile(
  wh: Warehouse,
  file: SourceFile & { display: string; sha256: string },
  source: SourceRelation,
  ctx: Omit<StageContext, 'loaded' | 'file'> & {
    /** A private folder for the Parquet copy of the file being read (removed by the caller). */
    scratchDir: string;
  },
): Promise<FileCounts> {
  const spec = TABLES[file.table];
  const table = file.table;
  const mark = stepTimer(file.display);
  const loaded = await loadedTables(wh, table);
  await refreshMaps(wh, loaded);
  // CSV and NDJSON: the file as read, in file order, copied once to a Parquet file whose
  // file_row_number is the data row; the only step that keeps order (see SourceRelation.raw).
  const rawFile = source.raw ? join(ctx.scratchDir, `raw-${ctx.batchId}.parquet`) : undefined;
  const text = rawFile && source.overRaw ? { ...source, sql: source.overRaw(rawFile) } : source;
  const stage = typedStageSql({ spec, source: text, ctx: { ...ctx, loaded, file: file.display } });
  // The stage (typed rows with their verdicts) also goes to a Parquet file: at 10M rows a temp
  // table made inside the batch's transaction spills gigabytes through the buffer pool, while
  // the later steps read only a few columns of the file. Verdicts changed later (within-file
  // duplicates, account aliases) are rows of the small temp table ingest_fix, laid over the file
  // by the view ingest_stage.
  const stageFile = join(ctx.scratchDir, `stage-${ctx.batchId}.parquet`);
  try {
    try {
      if (rawFile) {
        await wh.run(`copy (${source.raw}) to ${sqlString(rawFile)} (format parquet, compression snappy)`);
        mark('read');
      }
      // Every row's verdict is independent of the others: no order to keep, fully parallel.
      await withoutInsertionOrder(wh, () => wh.run(`copy (${stage.sql}) to ${sqlString(stageFile)} (format parquet, compression snappy)`));
      mark('stage');
    } catch (error) {
      if (!isReadError(error)) throw error;
      throw new JointlyError('INPUT_UNREADABLE', `Cannot read ${file.display} (table ${table}): ${shortReason(error)}`, {
        cause: error,
      });
    } finally {
      if (rawFile) rmSync(rawFile, { force: true });
    }
    return await judgeAndWrite(wh, { file, table, spec, stage, stageFile, source, batchId: ctx.batchId, mark });
  } finally {
    await wh.run(`drop view if exists ${STAGE}; drop table if exists ingest_fix`);
    rmSync(stageFile, { force: true });
  }
}

/** Verdicts that later steps change: the rows of ingest_fix replace these columns of the stage. */
const FIXED = ['__status', '__err', '__raw', '__reason', '__alias_to'] as const;

/** (Re)creates the view ingest_stage over the stage file, with the fixes laid over when there are any. */
async function stageView(wh: Warehouse, stageFile: string, withFixes: boolean): Promise<void> {
  const from = `read_parquet(${sqlString(stageFile)})`;
  if (!withFixes) {
    await wh.run(`create or replace temp view ${STAGE} as select * from ${from}`);
    return;
  }
  const replaced = FIXED.map((c) => `case when f.__row is null then s.${c} else f.${c} end as ${c}`).join(', ');
  await wh.run(`create or replace temp view ${STAGE} as
    select s.* replace (${replaced}) from ${from} s left join ingest_fix f on f.__row = s.__row`);
}

/** Duplicates, aliases, history, core, quarantine, counts and checks of one staged file. */
async function judgeAndWrite(
  wh: Warehouse,
  args: {
    file: SourceFile & { display: string; sha256: string };
    table: TableName;
    spec: (typeof TABLES)[TableName];
    stage: ReturnType<typeof typedStageSql>;
    stageFile: string;
    source: SourceRelation;
    batchId: number;
    mark: (step: string) => void;
  },
): Promise<FileCounts> {
  const { file, table, spec, stage, stageFile, source, mark } = args;
  const ctx = { batchId: args.batchId };
  await stageView(wh, stageFile, false);
  await wh.run(`create or replace temp table ingest_fix as
    select __row, ${FIXED.join(', ')} from ${STAGE} limit 0`);
  const keys = stage.keyColumns;
  const keyEq = (a: string, b: string): string => keys.map((k) => `${a}.${q(k)} is not distinct from ${b}.${q(k)}`).join(' and ');
  const dupIdx = stage.checks.findIndex((c) => c.code === 'duplicate_key') + 1;
  const rowJson = `to_json(struct_pack(${stage.coreColumns.map((c) => `${q(c)} := s.${q(c)}`).join(', ')}))`;

  // Within one file the first row of a key wins; an identical copy is a duplicate, a different
  // row with the same key is quarantined (the file contradicts itself).
  // Candidates first by a 64-bit hash of the key (grouping integers is far cheaper than
  // grouping strings), then the exact keys among the few candidates.
  const keyHash = (alias: string): string => `hash(${keys.map((k) => `${alias}.${q(k)}`).join(', ')})`;
  await wh.run(`create or replace temp table ingest_dups as
    with candidates as (
      select ${keyHash('s')} as kh from ${STAGE} s where s.__status <> 'quarantined'
      group by kh having count(*) > 1
    )
    select ${keys.map((k) => `s.${q(k)}`).join(', ')}, min(s.__row) as first_row, arg_min(s.row_hash, s.__row) as first_hash
    from ${STAGE} s semi join candidates c on ${keyHash('s')} = c.kh
    where s.__status <> 'quarantined'
    group by ${keys.map((k) => `s.${q(k)}`).join(', ')} having count(*) > 1`);
  const dupCount = await wh.find<{ n: number }>('select count(*)::integer as n from ingest_dups');
  let fixed = false;
  if (dupCount && dupCount.n > 0) {
    await wh.run(`insert into ingest_fix
      select s.__row,
        case when s.row_hash = d.first_hash then 'duplicate' else 'quarantined' end,
        case when s.row_hash = d.first_hash then null else ${dupIdx} end,
        case when s.row_hash = d.first_hash then null else ${rowJson} end,
        case when s.row_hash = d.first_hash then null else
          ${sqlString(`${keys.join(', ')}: the key appears earlier in this file (row `)} || d.first_row || ') with different content' end,
        s.__alias_to
      from ${STAGE} s join ingest_dups d on ${keyEq('s', 'd')}
      where s.__row <> d.first_row and s.__status <> 'quarantined'`);
    await stageView(wh, stageFile, true);
    fixed = true;
  }

  mark('within-file duplicates');
  if (table === 'accounts') {
    // Accounts matched by normalised domain: a new id whose domain an earlier row of this file
    // (or core, decided in the stage) already has becomes an alias of the first-seen id.
    // Rows still 'loaded' have no fix yet, so each row gets at most one.
    await wh.run(`insert into ingest_fix
      select s.__row, 'aliased', s.__err, s.__raw, s.__reason, f.account_id
      from ${STAGE} s join (select domain, arg_min(account_id, __row) as account_id, min(__row) as first_row
            from ${STAGE} x
            semi join (select hash(domain) as dh from ${STAGE} where __status = 'loaded' and domain is not null
                       group by dh having count(*) > 1) c on hash(x.domain) = c.dh
            where __status = 'loaded' and domain is not null
            group by domain having count(distinct account_id) > 1) f
        on s.domain = f.domain and s.__row <> f.first_row and s.account_id <> f.account_id
      where s.__status = 'loaded'`);
    if (!fixed) await stageView(wh, stageFile, true);
    await wh.run(`insert into core.account_aliases (alias_id, account_id, reason, batch_id)
      select account_id, __alias_to, 'same domain ' || domain, ${ctx.batchId}
      from ${STAGE} where __status = 'aliased'
      qualify row_number() over (partition by account_id order by __row) = 1`);
  }

  mark('account aliases');
  // Verdicts are final from here: one scan of the status column gives the counts, and the steps
  // below skip what has no rows (no history without updates, no quarantine insert without bad rows).
  const { nl_rows: nlRows, ...counts } = await wh.get<Omit<FileCounts, 'file' | 'table'> & { nl_rows: number }>(
    `select count(*)::integer as rows_in,
       count(*) filter (where __status = 'loaded')::integer as loaded,
       count(*) filter (where __status = 'updated')::integer as updated,
       count(*) filter (where __status in ('duplicate', 'aliased'))::integer as duplicates,
       count(*) filter (where __status = 'quarantined')::integer as quarantined,
       count(*) filter (where __nl > 0)::integer as nl_rows
     from ${STAGE}`,
    'no counts',
  );
  // Physical lines: the header is line 1; line breaks inside quoted fields push later rows down.
  const lineBase = source.lines === 'csv' ? '1' : '0';
  let lineJoin = '';
  let lineExpr = `s.__row + ${lineBase}`;
  if (nlRows > 0) {
    await wh.run(`create or replace temp table ingest_nl as
      select __row, sum(__nl) over (order by __row) as before from ${STAGE} where __nl > 0`);
    lineJoin = `asof left join ingest_nl n on s.__row > n.__row`;
    lineExpr = `s.__row + ${lineBase} + coalesce(n.before, 0)`;
  }

  mark('lines');
  // Replaced versions go to history, then leave core.
  const history = `core.${q(table + '_history')}`;
  if (counts.updated > 0) {
    // By name: core and history share their columns, but a column added later by a migration
    // (row_key) sits at a different position in each.
    await wh.run(`insert into ${history} by name
      select c.*, now()::timestamp as replaced_at, ${ctx.batchId} as replaced_by_batch
      from core.${q(table)} c join ${STAGE} s on ${keyEq('c', 's')} and s.__status = 'updated'`);
    await wh.run(`delete from core.${q(table)} c using ${STAGE} s where ${keyEq('c', 's')} and s.__status = 'updated'`);
  }

  mark('history');
  const cols = stage.coreColumns.map(q);
  // Core rows carry their source_line; their physical order in core means nothing. Without
  // preserve_insertion_order DuckDB inserts in parallel and skips the order-keeping batch merge
  // (about half the CPU of this step at 1M touchpoints). Only for this statement and the stage:
  // the raw copy must keep file order (its file_row_number is the data row).
  if (counts.loaded + counts.updated > 0) {
    await withoutInsertionOrder(wh, () => wh.run(`insert into core.${q(table)} (${cols.join(', ')}, attributes, batch_id, row_hash, source_file, source_line)
      select ${cols.map((c) => `s.${c}`).join(', ')}, s.__attrs, ${ctx.batchId}, s.row_hash, ${sqlString(file.display)}, ${lineExpr}
      from ${STAGE} s ${lineJoin}
      where s.__status in ('loaded', 'updated')`));
  }

  mark('core insert');
  const checkValues = stage.checks
    .map((c, i) => `(${i + 1}, ${sqlString(c.code)}, ${c.column === null ? 'null' : sqlString(c.column)})`)
    .join(', ');
  if (counts.quarantined > 0) {
    await wh.run(`insert into meta.quarantine (batch_id, file, table_name, line, row_number, column_name, reason_code, reason, raw)
      select ${ctx.batchId}, ${sqlString(file.display)}, ${sqlString(table)},
        ${source.lines === 'none' ? 'null' : lineExpr}, s.__row, ck.column_name, ck.code, s.__reason, s.__raw
      from ${STAGE} s ${lineJoin}
      join (values ${checkValues}) ck(idx, code, column_name) on ck.idx = s.__err
      where s.__status = 'quarantined'`);
  }

  mark('quarantine');
  const check = await wh.get<{ core_rows: number; quarantine_rows: number; unexplained: number }>(
    `select
       (select count(*)::integer from core.${q(table)} where batch_id = ${ctx.batchId} and source_file = ${sqlString(file.display)}) as core_rows,
       (select count(*)::integer from meta.quarantine where batch_id = ${ctx.batchId} and file = ${sqlString(file.display)}) as quarantine_rows,
       (select count(*)::integer from ${STAGE} where __status not in ('loaded', 'updated', 'duplicate', 'aliased', 'quarantined') or __status is null) as unexplained`,
    'no check',
  );
  const sum = counts.loaded + counts.updated + counts.duplicates + counts.quarantined;
  if (sum !== counts.rows_in || check.core_rows !== counts.loaded + counts.updated || check.quarantine_rows !== counts.quarantined || check.unexplained !== 0) {
    throw new JointlyError(
      'INVARIANT_BROKEN',
      `Counts of ${file.display} do not reconcile: rows_in ${counts.rows_in}, loaded ${counts.loaded}, updated ${counts.updated}, ` +
        `duplicates ${counts.duplicates}, quarantined ${counts.quarantined}; core holds ${check.core_rows} rows of this file, ` +
        `quarantine ${check.quarantine_rows}. The batch was rolled back.`,
    );
  }
  const money = spec.columns.find((c) => c.type === 'money' && !c.optional) ?? spec.columns.find((c) => c.type === 'money');
  await wh.run(`insert into meta.batch_files
    select ${ctx.batchId}, ${sqlString(file.display)}, ${sqlString(table)}, ${sqlString(file.format)}, ${sqlString(file.sha256)},
      ${counts.rows_in}, ${counts.loaded}, ${counts.updated}, ${counts.duplicates}, ${counts.quarantined},
      ${money ? `(select sum(${q(money.name + '_base')}) from ${STAGE} where __status in ('loaded', 'updated'))` : 'null'}`);
  await markLoadedFile(wh, file, file.sha256, ctx.batchId);
  mark('counts and checks');
  return { file: file.display, table, ...counts };
}
