/**
 * Loads one file inside the batch's transaction: raw copy (CSV/NDJSON: the file as read, in file
 * order, to a Parquet file in the batch's scratch folder), then one of two paths:
 * - direct (the table holds no row yet): repeated candidate keys (accounts: and domains) ->
 *   validation straight into core -> the rows not loaded validated again (errors, later copies
 *   of a key, accounts sharing a domain; the first of each key loads, later ids of a domain
 *   become aliases) -> quarantine;
 * - staged (otherwise): typed stage (one parallel statement, to Parquet) -> within-file duplicates
 *   -> account aliases -> history of replaced rows -> core -> quarantine;
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
  if (loaded.has('fx_rates')) {
    // Rates by day (see typedStageSql): each rate on every day from its valid_from to the day
    // before the next rate of its currency; the last rate of each currency separately.
    await wh.run(`create or replace temp table ingest_fx_days as
      select currency, rate_to_base,
        cast(unnest(generate_series(cast(valid_from as timestamp), cast(coalesce(next_from, valid_from + 1) as timestamp) - interval 1 day, interval 1 day)) as date) as day
      from (select currency, valid_from, rate_to_base, lead(valid_from) over (partition by currency order by valid_from) as next_from from core.fx_rates)`);
    await wh.run(`create or replace temp table ingest_fx_last as
      select currency, max(valid_from) as last_from, arg_max(rate_to_base, valid_from) as last_rate from core.fx_rates group by currency`);
  }
  if (loaded.has('accounts')) {
    await wh.run(`create or replace temp table ingest_account_map as
      select account_id as k, account_id from core.accounts
      union all
      select alias_id as k, account_id from core.account_aliases`);
  }
}

/** With JOINTLY_INGEST_TIMING=1, prints how long each step of a file took and the peak RSS so far (stderr). */
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
    const peak = Math.round(process.resourceUsage().maxRSS / 1024);
    process.stderr.write(`ingest ${file} ${step}: ${(Number(now - last) / 1e6).toFixed(0)} ms, cpu ${(nowCpu - lastCpu).toFixed(0)} ms, peak rss ${peak} MB\n`);
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
    /**
     * The raw copy made ahead by RawPrefetch: its Parquet file and the promise of its write.
     * Without it (or when it failed for another reason than an unreadable file) the copy is made
     * here, on the batch's connection.
     */
    prefetched?: { file: string; ready: Promise<void> };
  },
): Promise<FileCounts> {
  const spec = TABLES[file.table];
  const table = file.table;
  const mark = stepTimer(file.display);
  const loaded = await loadedTables(wh, table);
  await refreshMaps(wh, loaded);
  // A table that holds no row yet (the first load of it; earlier files of this batch count)
  // takes the direct path: rows go from the validation statement straight into core, and only
  // the few rows that did not load are looked at again. Accounts also need no alias yet; rows
  // whose domain occurs more than once in the file are among those looked at again (aliases).
  const direct =
    !(await wh.find(`select 1 as x from core.${q(table)} limit 1`)) &&
    (table !== 'accounts' || !(await wh.find(`select 1 as x from core.account_aliases limit 1`)));
  // CSV and NDJSON: the file as read, in file order, copied once to a Parquet file whose
  // file_row_number is the data row; the only step that keeps order (see SourceRelation.raw).
  const rawFile = source.raw ? (ctx.prefetched?.file ?? join(ctx.scratchDir, `raw-${ctx.batchId}.parquet`)) : undefined;
  const text = rawFile && source.overRaw ? { ...source, sql: source.overRaw(rawFile) } : source;
  const stageCtx = { ...ctx, loaded, file: file.display };
  const stage = typedStageSql({ spec, source: text, ctx: stageCtx, coreEmpty: direct });
  // Staged path: the stage (typed rows with their verdicts) goes to a Parquet file: at 10M rows a
  // temp table made inside the batch's transaction spills gigabytes through the buffer pool, while
  // the later steps read only a few columns of the file. Verdicts changed later (within-file
  // duplicates, account aliases) are rows of the small temp table ingest_fix, laid over the file
  // by the view ingest_stage.
  const stageFile = join(ctx.scratchDir, `stage-${ctx.batchId}.parquet`);
  try {
    let inserted = 0;
    let lines: LineMap | undefined;
    try {
      if (rawFile) {
        const ownCopy = (): Promise<void> => wh.run(`copy (${source.raw}) to ${sqlString(rawFile)} (format parquet, compression snappy)`);
        if (ctx.prefetched) {
          try {
            await ctx.prefetched.ready;
          } catch (error) {
            if (isReadError(error)) throw error;
            await ownCopy();
          }
        } else {
          await ownCopy();
        }
        mark('read');
      }
      if (direct) {
        lines = await lineMap(wh, `select __row, __nl from (${text.sql})`, source.lines);
        inserted = await insertDirect(wh, { file, table, stage, lines, batchId: ctx.batchId, mark });
        mark('stage and core insert');
      } else {
        // Every row's verdict is independent of the others: no order to keep, fully parallel.
        await withoutInsertionOrder(wh, () => wh.run(`copy (${stage.sql}) to ${sqlString(stageFile)} (format parquet, compression snappy)`));
        mark('stage');
      }
    } catch (error) {
      if (!isReadError(error)) throw error;
      throw new JointlyError('INPUT_UNREADABLE', `Cannot read ${file.display} (table ${table}): ${shortReason(error)}`, {
        cause: error,
      });
    }
    if (lines) {
      return await finishDirect(wh, { file, table, spec, text, source, stageCtx, inserted, lines, batchId: ctx.batchId, mark });
    }
    if (rawFile) rmSync(rawFile, { force: true });
    return await judgeAndWrite(wh, { file, table, spec, stage, stageFile, source, batchId: ctx.batchId, mark });
  } finally {
    await wh.run(`drop view if exists ${STAGE}; drop table if exists ingest_fix; drop table if exists ingest_rest_rows; drop table if exists ingest_rest_raw; drop table if exists ingest_rest; drop table if exists ingest_cand`);
    rmSync(stageFile, { force: true });
    if (rawFile) rmSync(rawFile, { force: true });
  }
}

/** How a data row maps to its physical line: `line(alias)` over `<alias>.__row`, with `join(alias)` in the FROM clause. */
interface LineMap {
  /** Rows in the file. */
  rowsIn: number;
  line: (alias: string) => string;
  join: (alias: string) => string;
}

/** Rows per bucket of the line map (a power of two; see {@link lineMap}). */
const NL_BUCKET_BITS = 6;

/**
 * Physical lines: the header is line 1 (CSV); line breaks inside quoted fields push later rows
 * down. Rows with such breaks are few. `rows` is a relation with `__row` and `__nl`; `known`
 * skips the count when the caller has it.
 *
 * The breaks before a row are found by an equi-join on the row's bucket (`__row >> 6`) with the
 * temp table ingest_nl: per bucket from the first such row on, the breaks of all earlier buckets
 * (`start_before`) and the rows of this bucket that have breaks (a short list, summed for the
 * rows after them). An ASOF join on `__row` gave the same lines but sorted the whole wide row set
 * (opportunities medium: ~0.35 s of a 1.1 s statement, one core).
 */
async function lineMap(
  wh: Warehouse,
  rows: string,
  lines: SourceRelation['lines'],
  known?: { rowsIn: number; nlRows: number },
): Promise<LineMap> {
  const base = lines === 'csv' ? 1 : 0;
  const n = known ?? await wh.get<{ rowsIn: number; nlRows: number }>(
    `select count(*)::bigint::double as "rowsIn", count(*) filter (where __nl > 0)::integer as "nlRows" from (${rows})`,
    'no rows',
  );
  const rowsIn = Number(n.rowsIn);
  if (Number(n.nlRows) === 0) return { rowsIn, line: (a) => `${a}.__row + ${base}`, join: () => '' };
  const b = NL_BUCKET_BITS;
  await wh.run(`create or replace temp table ingest_nl as
    with nl as (select __row, __nl from (${rows}) where __nl > 0),
    per as (select __row >> ${b} as bucket, sum(__nl) as n, list(struct_pack(r := __row, n := __nl)) as inner_rows
            from nl group by bucket),
    buckets as (select unnest(range((select min(bucket) from per), (${Math.max(rowsIn, 1)}::bigint >> ${b}) + 1)) as bucket)
    select k.bucket,
      coalesce(sum(p.n) over (order by k.bucket rows between unbounded preceding and 1 preceding), 0)::bigint as start_before,
      p.inner_rows
    from buckets k left join per p on p.bucket = k.bucket`);
  return {
    rowsIn,
    line: (a) =>
      `${a}.__row + ${base} + coalesce(${a}_nl.start_before + ` +
      `cast(coalesce(list_sum(list_transform(list_filter(${a}_nl.inner_rows, x -> x.r < ${a}.__row), x -> x.n)), 0) as bigint), 0)`,
    join: (a) => `left join ingest_nl ${a}_nl on ${a}_nl.bucket = (${a}.__row >> ${b})`,
  };
}

/** The head of an insert of one file's rows into a core table (row_key comes from its default). */
function coreInsert(table: TableName, cols: readonly string[]): string {
  return `insert into core.${q(table)} (${cols.join(', ')}, attributes, batch_id, row_hash, source_file, source_line)`;
}

/** The checks of a stage as SQL VALUES rows (index from 1, code, column), for the quarantine's reason codes. */
function checkValues(checks: readonly { code: string; column: string | null }[]): string {
  return checks.map((c, i) => `(${i + 1}, ${sqlString(c.code)}, ${c.column === null ? 'null' : sqlString(c.column)})`).join(', ');
}

/** What every step of one file's load gets: the file, its table and reader, the batch, the timer. */
interface FileStep {
  file: SourceFile & { display: string; sha256: string };
  table: TableName;
  spec: (typeof TABLES)[TableName];
  source: SourceRelation;
  batchId: number;
  mark: (step: string) => void;
}

/**
 * Accounts matched by normalised domain, over the rows of `rel` still 'loaded': per domain that
 * several account ids share, the first-seen id and its row (a later id becomes its alias). The
 * domains that occur more than once are found by hash first, so only those rows are grouped.
 */
function sharedDomainsSql(rel: string): string {
  return `select domain, arg_min(account_id, __row) as account_id, min(__row) as first_row
    from ${rel} x
    semi join (select hash(domain) as dh from ${rel} where __status = 'loaded' and domain is not null
               group by dh having count(*) > 1) c on hash(x.domain) = c.dh
    where __status = 'loaded' and domain is not null
    group by domain having count(distinct account_id) > 1`;
}

/** The aliases decided in `rel` (rows 'aliased' to `__alias_to`), one per alias id: its first row. */
async function insertDomainAliases(wh: Warehouse, rel: string, batchId: number): Promise<void> {
  await wh.run(`insert into core.account_aliases (alias_id, account_id, reason, batch_id)
    select account_id, __alias_to, 'same domain ' || domain, ${batchId}
    from ${rel} where __status = 'aliased'
    qualify row_number() over (partition by account_id order by __row) = 1`);
}

/**
 * Direct path, step 1: the candidate keys that occur more than once in the file (one pass over the
 * key columns, see TypedStage.candidatesSql), then every row without an error and with a unique
 * candidate key straight from the validation into core. Rows of a repeated candidate key wait
 * for {@link finishDirect}: core never receives a row it must give back (a delete inside the
 * batch's transaction makes DuckDB rewrite the table's new rows at commit).
 */
async function insertDirect(
  wh: Warehouse,
  args: {
    file: { display: string };
    table: TableName;
    stage: ReturnType<typeof typedStageSql>;
    lines: LineMap;
    batchId: number;
    mark: (step: string) => void;
  },
): Promise<number> {
  const { file, table, stage, lines } = args;
  const cols = stage.coreColumns.map(q);
  await wh.run(`create or replace temp table ingest_cand as ${stage.candidatesSql}`);
  args.mark('repeated candidate keys');
  const repeated = await wh.find(`select 1 as x from ingest_cand limit 1`);
  let count = 0;
  // Core rows carry their source_line; their physical order in core means nothing (see below).
  // The repeated keys are left out by an anti join: written as NOT EXISTS, DuckDB planned a delim
  // join that first gathered every validated row of the file (touchpoints medium: ~0.4 s CPU of 5).
  await withoutInsertionOrder(wh, async () => {
    const rows = await wh.all<{ Count: string | number }>(`${coreInsert(table, cols)}
      select ${cols.map((c) => `s.${c}`).join(', ')}, s.__attrs, ${args.batchId}, s.row_hash, ${sqlString(file.display)}, ${lines.line('s')}
      from (${stage.sql}) s ${lines.join('s')}${repeated ? ` anti join ingest_cand c on c.kh = s.__ck` : ''}
      ${repeated && table === 'accounts' ? ` anti join ingest_cand cd on cd.kh = s.__cd` : ''}
      where s.__status = 'loaded'`);
    count = Number(rows[0]?.Count ?? 0);
  });
  return count;
}

/**
 * Direct path, the rest: the rows not in core (their lines are missing among this file's core
 * rows: rows with an error, rows of a repeated candidate key) are validated again on their own,
 * to a small temp table. Among those without an error the first row of each stored key loads
 * (a second, small insert); a later identical copy is a duplicate, a later different one is
 * quarantined (`duplicate_key`), as on the staged path. Then quarantine, counts and checks.
 */
async function finishDirect(
  wh: Warehouse,
  args: FileStep & {
    text: SourceRelation;
    stageCtx: StageContext;
    inserted: number;
    lines: LineMap;
  },
): Promise<FileCounts> {
  const { file, table, spec, text, source, lines, mark } = args;
  const B = args.batchId;
  const F = sqlString(file.display);
  const ofFile = `batch_id = ${B} and source_file = ${F}`;
  // The anti join reads only the row numbers (carrying every raw column through it cost touchpoints
  // at large 4.2 instead of 3.3 s); then one scan fetches the raw columns of those rows into a small
  // table, which the validation below reads (reading the raw copy there instead scanned it twice:
  // the statement's CTE has two readers; medium, all files: 2.3 -> 1.4-1.7 s).
  await wh.run(`create or replace temp table ingest_rest_rows as
    select s.__row from (select __row from (${text.sql})) s ${lines.join('s')}
    anti join (select source_line from core.${q(table)} where ${ofFile}) c on c.source_line = ${lines.line('s')}`);
  await wh.run(`create or replace temp table ingest_rest_raw as
    select s.* from (${text.sql}) s semi join ingest_rest_rows r on r.__row = s.__row`);
  mark('rows not loaded');
  const restSource = { ...text, sql: `select * from ingest_rest_raw` };
  const rest = typedStageSql({ spec, source: restSource, ctx: args.stageCtx, coreEmpty: true });
  const dupIdx = rest.checks.findIndex((c) => c.code === 'duplicate_key') + 1;
  const rowJson = `to_json(struct_pack(${rest.coreColumns.map((c) => `${q(c)} := s.${q(c)}`).join(', ')}))`;
  const keys = rest.keyColumns.map(q);
  const keyEq = keys.map((k) => `f.${k} is not distinct from s.${k}`).join(' and ');
  await wh.run(`create or replace temp table ingest_rest as
    with r as (${rest.sql}),
    f as (select ${keys.join(', ')}, min(__row) as first_row, arg_min(row_hash, __row) as first_hash
          from r where __status = 'loaded' group by all)
    select s.* replace (
        case when s.__status <> 'loaded' or s.__row = f.first_row then s.__status
             when s.row_hash = f.first_hash then 'duplicate' else 'quarantined' end as __status,
        case when s.__status <> 'loaded' or s.__row = f.first_row or s.row_hash = f.first_hash then s.__err else ${dupIdx} end as __err,
        case when s.__status <> 'loaded' or s.__row = f.first_row or s.row_hash = f.first_hash then s.__reason
             else ${sqlString(`${TABLES[table].key.join(', ')}: the key appears earlier in this file (row `)} || f.first_row || ') with different content' end as __reason,
        case when s.__status <> 'loaded' or s.__row = f.first_row or s.row_hash = f.first_hash then s.__raw else ${rowJson} end as __raw),
      ${lines.line('s')} as __line
    from r s left join f on ${keyEq}
    ${lines.join('s')}`);
  if (table === 'accounts') {
    // Accounts matched by normalised domain: among the rows still 'loaded' (all rows of a domain
    // that occurs more than once are here), a later id of a domain becomes an alias of the
    // first-seen id, as on the staged path.
    await wh.run(`update ingest_rest s set __status = 'aliased', __alias_to = f.account_id
      from (${sharedDomainsSql('ingest_rest')}) f
      where s.__status = 'loaded' and s.domain = f.domain and s.__row <> f.first_row and s.account_id <> f.account_id`);
    await insertDomainAliases(wh, 'ingest_rest', B);
  }
  const cols = rest.coreColumns.map(q);
  const more = await wh.all<{ Count: string | number }>(`${coreInsert(table, cols)}
    select ${cols.join(', ')}, __attrs, ${B}, row_hash, ${F}, __line from ingest_rest where __status = 'loaded'`);
  const inserted = args.inserted + Number(more[0]?.Count ?? 0);
  mark('rest');
  await wh.run(`insert into meta.quarantine (batch_id, file, table_name, line, row_number, column_name, reason_code, reason, raw)
    select ${B}, ${F}, ${sqlString(table)}, ${source.lines === 'none' ? 'null' : 's.__line'}, s.__row, ck.column_name, ck.code, s.__reason, s.__raw
    from ingest_rest s join (values ${checkValues(rest.checks)}) ck(idx, code, column_name) on ck.idx = s.__err
    where s.__status = 'quarantined'`);
  mark('quarantine');
  const r = await wh.get<{ not_loaded: number; rest_rows: number; duplicates: number; quarantined: number; unexplained: number }>(
    `select (select count(*) from ingest_rest_rows)::integer as not_loaded,
       count(*)::integer as rest_rows,
       count(*) filter (where __status in ('duplicate', 'aliased'))::integer as duplicates,
       count(*) filter (where __status = 'quarantined')::integer as quarantined,
       count(*) filter (where __status not in ('loaded', 'duplicate', 'aliased', 'quarantined') or __status is null)::integer as unexplained
     from ingest_rest`,
    'no counts',
  );
  const counts = { rows_in: lines.rowsIn, loaded: inserted, updated: 0, duplicates: r.duplicates, quarantined: r.quarantined };
  // Every row is in core or among the rows validated again, and those got the same statement.
  const broken = r.unexplained !== 0 || r.rest_rows !== r.not_loaded || r.not_loaded !== lines.rowsIn - args.inserted;
  return finishCounts(wh, { file, table, spec, counts, batchId: B, broken, moneyFrom: `core.${q(table)} where ${ofFile}`, mark });
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
  args: FileStep & {
    stage: ReturnType<typeof typedStageSql>;
    stageFile: string;
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
      from ${STAGE} s join (${sharedDomainsSql(STAGE)}) f
        on s.domain = f.domain and s.__row <> f.first_row and s.account_id <> f.account_id
      where s.__status = 'loaded'`);
    if (!fixed) await stageView(wh, stageFile, true);
    await insertDomainAliases(wh, STAGE, ctx.batchId);
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
  const lines = await lineMap(wh, `select __row, __nl from ${STAGE}`, source.lines, { rowsIn: counts.rows_in, nlRows });

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
    await withoutInsertionOrder(wh, () => wh.run(`${coreInsert(table, cols)}
      select ${cols.map((c) => `s.${c}`).join(', ')}, s.__attrs, ${ctx.batchId}, s.row_hash, ${sqlString(file.display)}, ${lines.line('s')}
      from ${STAGE} s ${lines.join('s')}
      where s.__status in ('loaded', 'updated')`));
  }

  mark('core insert');
  if (counts.quarantined > 0) {
    await wh.run(`insert into meta.quarantine (batch_id, file, table_name, line, row_number, column_name, reason_code, reason, raw)
      select ${ctx.batchId}, ${sqlString(file.display)}, ${sqlString(table)},
        ${source.lines === 'none' ? 'null' : lines.line('s')}, s.__row, ck.column_name, ck.code, s.__reason, s.__raw
      from ${STAGE} s ${lines.join('s')}
      join (values ${checkValues(stage.checks)}) ck(idx, code, column_name) on ck.idx = s.__err
      where s.__status = 'quarantined'`);
  }

  mark('quarantine');
  const unexplained = await wh.get<{ n: number }>(
    `select count(*)::integer as n from ${STAGE} where __status not in ('loaded', 'updated', 'duplicate', 'aliased', 'quarantined') or __status is null`,
    'no check',
  );
  return finishCounts(wh, {
    file,
    table,
    spec,
    counts,
    batchId: ctx.batchId,
    broken: unexplained.n !== 0,
    moneyFrom: `${STAGE} where __status in ('loaded', 'updated')`,
    mark,
  });
}

/**
 * Checks that the counts reconcile (rows_in = loaded + updated + duplicates + quarantined, core
 * holds loaded + updated rows of this file, quarantine the quarantined ones; `broken` carries the
 * caller's own checks) and records the file in meta.batch_files and meta.ingest_file_marks.
 */
async function finishCounts(
  wh: Warehouse,
  args: {
    file: SourceFile & { display: string; sha256: string };
    table: TableName;
    spec: (typeof TABLES)[TableName];
    counts: Omit<FileCounts, 'file' | 'table'>;
    batchId: number;
    broken: boolean;
    /** FROM clause (with WHERE) of the loaded rows of this file, for the money total. */
    moneyFrom: string;
    mark: (step: string) => void;
  },
): Promise<FileCounts> {
  const { file, table, spec, counts, mark } = args;
  const ctx = { batchId: args.batchId };
  const check = await wh.get<{ core_rows: number; quarantine_rows: number }>(
    `select
       (select count(*)::integer from core.${q(table)} where batch_id = ${ctx.batchId} and source_file = ${sqlString(file.display)}) as core_rows,
       (select count(*)::integer from meta.quarantine where batch_id = ${ctx.batchId} and file = ${sqlString(file.display)}) as quarantine_rows`,
    'no check',
  );
  const sum = counts.loaded + counts.updated + counts.duplicates + counts.quarantined;
  if (sum !== counts.rows_in || check.core_rows !== counts.loaded + counts.updated || check.quarantine_rows !== counts.quarantined || args.broken) {
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
      ${money ? `(select sum(${q(money.name + '_base')}) from ${args.moneyFrom})` : 'null'}`);
  await markLoadedFile(wh, file, file.sha256, ctx.batchId);
  mark('counts and checks');
  return { file: file.display, table, ...counts };
}
