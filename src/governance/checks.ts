/**
 * The data quality checks. Each kind is one set-wise query over the warehouse (generated from the
 * table specs in tables.ts, identifiers quoted through `ident`), returning a handful of aggregate
 * rows that become `CheckResult`s. Nothing is read row by row into JavaScript.
 *
 * Not yet: distribution shift compares the rows each of the last two loads wrote (new and changed
 * rows), not a full snapshot of the table as of each load.
 */
import { TABLES, TABLE_NAMES, ident, storedColumns, type TableName, type Warehouse } from '../warehouse/index.js';
import type { QualityConfig, Severity } from './quality-config.js';

export const CHECK_KINDS = ['freshness', 'completeness', 'uniqueness', 'referential_integrity', 'distribution', 'reconciliation'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];
export const CHECK_STATUSES = ['pass', 'warn', 'fail', 'skip'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export interface CheckResult {
  checkId: string;
  kind: CheckKind;
  /** A core table, or `model.credits` for attributed-vs-booked. */
  table: string | null;
  column: string | null;
  status: CheckStatus;
  severity: Severity;
  observed: string | null;
  threshold: string | null;
  message: string;
}

/** A finished load: not failed, not running. Batches of ingest carry one of these statuses. */
const FINISHED_BATCH = `b.finished_at is not null and lower(b.status) not in ('failed', 'running', 'aborted', 'rolled_back', 'error')`;

function verdict(breached: boolean, severity: Severity): CheckStatus {
  if (!breached) return 'pass';
  return severity === 'error' ? 'fail' : 'warn';
}

const pct = (part: number, whole: number) => (whole === 0 ? 0 : (100 * part) / whole);
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

// ---------------------------------------------------------------------------------------------
const FRESHNESS_SQL = `
select f.table_name,
       strftime(max(b.finished_at), '%Y-%m-%dT%H:%M:%SZ') as last_loaded_at,
       (date_diff('second', max(b.finished_at), $1::timestamp) / 3600.0)::double as age_hours
from meta.batch_files f
join meta.batches b on b.batch_id = f.batch_id
where ${FINISHED_BATCH}
group by f.table_name`;

/** Hours since each configured table was last loaded. A table never loaded fails. */
export async function checkFreshness(wh: Warehouse, cfg: QualityConfig, now: string): Promise<CheckResult[]> {
  const rows = await wh.all<{ table_name: string; last_loaded_at: string; age_hours: number }>({ text: FRESHNESS_SQL, values: [now] });
  const byTable = new Map(rows.map((r) => [r.table_name, r]));
  return cfg.freshness.map((f) => {
    const r = byTable.get(f.table);
    const breached = !r || r.age_hours > f.max_age_hours;
    return {
      checkId: `freshness:${f.table}`,
      kind: 'freshness',
      table: f.table,
      column: null,
      status: verdict(breached, f.severity),
      severity: f.severity,
      observed: r ? `${fmt(r.age_hours)}h` : 'never loaded',
      threshold: `<= ${f.max_age_hours}h`,
      message: r
        ? `${f.table} last loaded ${r.last_loaded_at}, ${fmt(r.age_hours)} hours ago (allowed ${f.max_age_hours}).`
        : `${f.table} has never been loaded.`,
    };
  });
}

// ---------------------------------------------------------------------------------------------
interface NullRule {
  id: string;
  table: TableName;
  columns: string[];
  maxPct: number;
  severity: Severity;
}

function isEmpty(table: TableName, column: string): string {
  const spec = TABLES[table].columns.find((c) => storedColumns(c).some((s) => s.name === column));
  const q = ident(column);
  if (spec?.type === 'list') return `(${q} is null or len(${q}) = 0)`;
  if (spec && (spec.type === 'text' || spec.type === 'enum') && !spec.pii) return `(${q} is null or trim(${q}) = '')`;
  return `${q} is null`;
}

function nullRules(cfg: QualityConfig): NullRule[] {
  const rules: NullRule[] = [];
  for (const t of TABLE_NAMES) {
    for (const col of TABLES[t].columns.filter((c) => !c.optional)) {
      for (const s of storedColumns(col)) {
        rules.push({ id: `completeness:${t}.${s.name}`, table: t, columns: [s.name], maxPct: cfg.completeness.max_null_pct, severity: cfg.completeness.severity });
      }
    }
  }
  for (const r of cfg.completeness.rules) {
    rules.push({ id: `completeness:${r.table}.${r.any_of.join('|')}`, table: r.table, columns: r.any_of, maxPct: r.max_null_pct, severity: r.severity });
  }
  return rules;
}

/** Empty required fields (and configured any-of rules), one scan per table. */
export async function checkCompleteness(wh: Warehouse, cfg: QualityConfig): Promise<CheckResult[]> {
  const rules = nullRules(cfg);
  const parts: string[] = [];
  for (const t of TABLE_NAMES) {
    const mine = rules.map((r, i) => ({ r, i })).filter(({ r }) => r.table === t);
    if (!mine.length) continue;
    const counts = mine.map(({ r, i }) => `count(*) filter (where ${r.columns.map((c) => isEmpty(t, c)).join(' and ')})::bigint as r${i}`);
    parts.push(
      `select * from (unpivot (select count(*)::bigint as n, ${counts.join(', ')} from core.${ident(t)}) on ${mine.map(({ i }) => `r${i}`).join(', ')} into name rule value empty)`,
    );
  }
  const rows = await wh.all<{ n: string; rule: string; empty: string }>(parts.join('\nunion all\n'));
  return rows.map((row) => {
    const rule = rules[Number(row.rule.slice(1))];
    if (!rule) throw new Error(`unknown completeness rule ${row.rule}`);
    const n = Number(row.n);
    const empty = Number(row.empty);
    const p = pct(empty, n);
    return {
      checkId: rule.id,
      kind: 'completeness' as const,
      table: rule.table,
      column: rule.columns.join('|'),
      status: verdict(p > rule.maxPct, rule.severity),
      severity: rule.severity,
      observed: `${empty} of ${n} empty (${fmt(p)}%)`,
      threshold: `<= ${rule.maxPct}%`,
      message:
        empty === 0
          ? `${rule.table}.${rule.columns.join(' or ')} is filled on every row.`
          : `${rule.table}.${rule.columns.join(' or ')} is empty on ${empty} of ${n} rows (${fmt(p)}%, allowed ${rule.maxPct}%).`,
    };
  }).sort((a, b) => a.checkId.localeCompare(b.checkId));
}

// ---------------------------------------------------------------------------------------------
/** Key columns as stored (a personal key column is stored as `<name>_hash`). */
function storedKey(t: TableName): string[] {
  return TABLES[t].key.map((k) => {
    const col = TABLES[t].columns.find((c) => c.name === k);
    return col?.pii ? `${k}_hash` : k;
  });
}

/** Duplicate natural keys in core, one query over every table. */
export async function checkUniqueness(wh: Warehouse, cfg: QualityConfig): Promise<CheckResult[]> {
  const parts = TABLE_NAMES.map((t) => {
    const key = storedKey(t).map(ident).join(', ');
    return `select '${t}' as table_name, count(*)::bigint as duplicate_keys, coalesce(sum(k) - count(*), 0)::bigint as extra_rows
      from (select count(*) as k from core.${ident(t)} group by ${key} having count(*) > 1)`;
  });
  const rows = await wh.all<{ table_name: TableName; duplicate_keys: string; extra_rows: string }>(parts.join('\nunion all\n'));
  const severity = cfg.uniqueness.severity;
  return rows.map((r) => {
    const dups = Number(r.duplicate_keys);
    const key = storedKey(r.table_name).join(', ');
    return {
      checkId: `uniqueness:${r.table_name}`,
      kind: 'uniqueness' as const,
      table: r.table_name,
      column: key,
      status: verdict(dups > 0, severity),
      severity,
      observed: `${dups} duplicated keys`,
      threshold: '0',
      message: dups === 0 ? `${r.table_name} has one row per (${key}).` : `${r.table_name} has ${dups} keys (${key}) on more than one row (${r.extra_rows} extra rows).`,
    };
  });
}

// ---------------------------------------------------------------------------------------------
/** Foreign references (tables.ts `ref`) that point at no row, one query over every reference. */
export async function checkReferentialIntegrity(wh: Warehouse, cfg: QualityConfig): Promise<CheckResult[]> {
  const refs = TABLE_NAMES.flatMap((t) =>
    TABLES[t].columns.filter((c) => c.ref).map((c) => ({ table: t, column: c.name, list: c.type === 'list', ref: c.ref! })),
  );
  const parts = refs.map((r) => {
    const values = r.list
      ? `select unnest(${ident(r.column)}) as v from core.${ident(r.table)}`
      : `select ${ident(r.column)} as v from core.${ident(r.table)}`;
    return `select '${r.table}' as table_name, '${r.column}' as column_name,
        count(*) filter (where x.v is not null)::bigint as n,
        count(*) filter (where x.v is not null and p.k is null)::bigint as orphans,
        (list(distinct x.v order by x.v) filter (where x.v is not null and p.k is null))[1:3] as examples
      from (${values}) x
      left join (select distinct ${ident(r.ref.column)} as k from core.${ident(r.ref.table)}) p on p.k = x.v`;
  });
  const rows = await wh.all<{ table_name: TableName; column_name: string; n: string; orphans: string; examples: string[] | null }>(parts.join('\nunion all\n'));
  const { max_orphan_pct: maxPct, severity } = cfg.referential_integrity;
  return rows.map((row) => {
    const ref = refs.find((r) => r.table === row.table_name && r.column === row.column_name)!.ref;
    const n = Number(row.n);
    const orphans = Number(row.orphans);
    const p = pct(orphans, n);
    return {
      checkId: `referential_integrity:${row.table_name}.${row.column_name}`,
      kind: 'referential_integrity' as const,
      table: row.table_name,
      column: row.column_name,
      status: verdict(p > maxPct, severity),
      severity,
      observed: `${orphans} of ${n} unmatched (${fmt(p)}%)`,
      threshold: `<= ${maxPct}%`,
      message:
        orphans === 0
          ? `every ${row.table_name}.${row.column_name} exists in ${ref.table}.`
          : `${orphans} ${row.table_name}.${row.column_name} values point at no ${ref.table}.${ref.column} (e.g. ${(row.examples ?? []).join(', ')}).`,
    };
  });
}

// ---------------------------------------------------------------------------------------------
function distributionSql(table: TableName, column: string): string {
  const t = ident(table);
  const c = ident(column);
  return `
with loads as (
  select f.batch_id, sum(f.rows_in)::bigint as rows_in
  from meta.batch_files f
  join meta.batches b on b.batch_id = f.batch_id
  where f.table_name = '${table}' and ${FINISHED_BATCH}
  group by f.batch_id
  order by f.batch_id desc
  limit 2
),
written as (
  select batch_id, ${c} as v from core.${t} where batch_id in (select batch_id from loads)
  union all
  select batch_id, ${c} as v from core.${ident(table + '_history')} where batch_id in (select batch_id from loads)
),
stats as (
  select batch_id, count(v)::bigint as n, avg(v)::double as mean, median(v)::double as median
  from written
  group by batch_id
)
select l.batch_id, l.rows_in::varchar as rows_in, coalesce(s.n, 0)::varchar as n, s.mean, s.median
from loads l
left join stats s on s.batch_id = l.batch_id
order by l.batch_id desc`;
}

/** The latest load of a table against the one before: row count, mean and median of a column. */
export async function checkDistribution(wh: Warehouse, cfg: QualityConfig): Promise<CheckResult[]> {
  const d = cfg.distribution;
  const out: CheckResult[] = [];
  for (const [table, column] of Object.entries(d.columns) as [TableName, string][]) {
    const rows = await wh.all<{ batch_id: number; rows_in: string; n: string; mean: number | null; median: number | null }>(distributionSql(table, column));
    const [last, prev] = rows;
    const base = { kind: 'distribution' as const, table, severity: d.severity };
    if (!last || !prev) {
      out.push({ ...base, checkId: `distribution:${table}.rows`, column: null, status: 'skip', observed: `${rows.length} loads`, threshold: null, message: `${table}: fewer than two loads to compare.` });
      continue;
    }
    const change = (a: number | null, b: number | null) => (a === null || b === null ? null : b === 0 ? (a === 0 ? 0 : Infinity) : (100 * Math.abs(a - b)) / Math.abs(b));
    const measures: { id: string; col: string | null; label: string; a: number | null; b: number | null; max: number }[] = [
      { id: 'rows', col: null, label: 'rows in', a: Number(last.rows_in), b: Number(prev.rows_in), max: d.max_row_count_change_pct },
      { id: `${column}.mean`, col: column, label: `mean ${column}`, a: last.mean, b: prev.mean, max: d.max_mean_change_pct },
      { id: `${column}.median`, col: column, label: `median ${column}`, a: last.median, b: prev.median, max: d.max_median_change_pct },
    ];
    for (const m of measures) {
      const ch = change(m.a, m.b);
      out.push({
        ...base,
        checkId: `distribution:${table}.${m.id}`,
        column: m.col,
        status: ch === null ? 'skip' : verdict(ch > m.max, d.severity),
        observed: ch === null ? 'no values' : `${fmt(ch)}% (${fmt(m.b ?? 0)} -> ${fmt(m.a ?? 0)})`,
        threshold: `<= ${m.max}%`,
        message:
          ch === null
            ? `${table}: no ${m.label} to compare between batches ${prev.batch_id} and ${last.batch_id}.`
            : `${table}: ${m.label} moved ${fmt(ch)}% from batch ${prev.batch_id} (${fmt(m.b ?? 0)}) to batch ${last.batch_id} (${fmt(m.a ?? 0)}), allowed ${m.max}%.`,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
function fileReconciliationSql(table: TableName): string {
  const t = ident(table);
  return `
with latest as (
  select max(f.batch_id) as batch_id
  from meta.batch_files f
  join meta.batches b on b.batch_id = f.batch_id
  where f.table_name = '${table}' and ${FINISHED_BATCH} and f.amount_total_base is not null
),
files as (
  select f.batch_id, f.file, f.amount_total_base as expected
  from meta.batch_files f
  join latest l on l.batch_id = f.batch_id
  where f.table_name = '${table}' and f.amount_total_base is not null
),
written as (
  select batch_id, source_file, amount_base from core.${t} where batch_id = (select batch_id from latest)
  union all
  select batch_id, source_file, amount_base from core.${ident(table + '_history')} where batch_id = (select batch_id from latest)
),
actual as (
  select batch_id, source_file, sum(amount_base) as actual from written group by all
)
select f.batch_id, f.file,
       f.expected::varchar as expected,
       coalesce(a.actual, 0)::decimal(18,2)::varchar as actual,
       abs(f.expected - coalesce(a.actual, 0))::decimal(18,2)::varchar as difference,
       abs(f.expected - coalesce(a.actual, 0)) > $1::decimal(18,2) as is_off
from files f
left join actual a on a.batch_id = f.batch_id and a.source_file = f.file
order by f.file`;
}

const CREDITS_EXIST_SQL = `select count(*)::integer as n from information_schema.tables where table_schema = 'model' and table_name = 'credits'`;

const ATTRIBUTED_VS_BOOKED_SQL = `
with run as (
  select max(run_id) as run_id
  from meta.runs
  where kind = 'attribution' and lower(status) in ('succeeded', 'success', 'ok', 'done', 'completed', 'complete')
),
credited as (
  select c.opportunity_id, sum(c.pipeline_credit) as pipeline, sum(c.revenue_credit) as revenue
  from model.credit_amounts c
  join run r on r.run_id = c.run_id
  group by c.opportunity_id
),
booked as (
  select opportunity_id,
         coalesce(amount_base, amount) as pipeline,
         case when is_won then coalesce(amount_base, amount) else 0 end as revenue
  from core.opportunities
),
compared as (
  select c.pipeline as credited_pipeline, c.revenue as credited_revenue, b.pipeline as booked_pipeline, b.revenue as booked_revenue
  from credited c
  full join booked b on b.opportunity_id = c.opportunity_id
)
select (select run_id from run) as run_id,
       count(*)::integer as opportunities,
       count(*) filter (where credited_pipeline is null)::integer as missing_from_run,
       count(*) filter (where booked_pipeline is null)::integer as gone_from_warehouse,
       count(*) filter (where credited_pipeline is null or booked_pipeline is null
                          or abs(credited_pipeline - booked_pipeline) > $1::decimal(18,2)
                          or abs(credited_revenue - booked_revenue) > $1::decimal(18,2))::integer as mismatched,
       coalesce(sum(credited_pipeline), 0)::decimal(18,2)::varchar as credited_pipeline,
       coalesce(sum(booked_pipeline), 0)::decimal(18,2)::varchar as booked_pipeline,
       coalesce(sum(credited_revenue), 0)::decimal(18,2)::varchar as credited_revenue,
       coalesce(sum(booked_revenue), 0)::decimal(18,2)::varchar as booked_revenue
from compared`;

/**
 * Warehouse totals against the source files' totals recorded at ingest (latest load per table),
 * and the latest attribution run's credits against the booked opportunity amounts.
 */
export async function checkReconciliation(wh: Warehouse, cfg: QualityConfig): Promise<CheckResult[]> {
  const r = cfg.reconciliation;
  const out: CheckResult[] = [];
  for (const table of r.tables) {
    const rows = await wh.all<{ batch_id: number; file: string; expected: string; actual: string; difference: string; is_off: boolean }>(
      { text: fileReconciliationSql(table), values: [r.tolerance] },
    );
    if (!rows.length) {
      out.push({ checkId: `reconciliation:${table}.files`, kind: 'reconciliation', table, column: 'amount_base', status: 'skip', severity: r.severity, observed: null, threshold: null, message: `${table}: no load with recorded file totals.` });
      continue;
    }
    const off = rows.filter((x) => x.is_off);
    const expected = rows.map((x) => x.expected);
    const actual = rows.map((x) => x.actual);
    out.push({
      checkId: `reconciliation:${table}.files`,
      kind: 'reconciliation',
      table,
      column: 'amount_base',
      status: verdict(off.length > 0, r.severity),
      severity: r.severity,
      observed: `${off.length} of ${rows.length} files off`,
      threshold: `difference <= ${r.tolerance}`,
      message: off.length
        ? `${table}, batch ${rows[0]?.batch_id}: ${off.map((x) => `${x.file} totals ${x.expected} in the file but ${x.actual} in the warehouse (off by ${x.difference})`).join('; ')}.`
        : `${table}, batch ${rows[0]?.batch_id}: warehouse totals match the files (${actual.join(', ')} = ${expected.join(', ')}).`,
    });
  }
  if (r.attributed_vs_booked) {
    const exists = await wh.get<{ n: number }>(CREDITS_EXIST_SQL, 'information_schema');
    type Row = { run_id: number | null; opportunities: number; missing_from_run: number; gone_from_warehouse: number; mismatched: number; credited_pipeline: string; booked_pipeline: string; credited_revenue: string; booked_revenue: string };
    const run = exists.n ? await wh.find<{ run_id: number | null }>(`select max(run_id) as run_id from meta.runs where kind = 'attribution' and lower(status) in ('succeeded', 'success', 'ok', 'done', 'completed', 'complete')`) : undefined;
    const row = run && run.run_id !== null ? await wh.find<Row>({ text: ATTRIBUTED_VS_BOOKED_SQL, values: [r.tolerance] }) : undefined;
    if (!row || row.run_id === null) {
      out.push({ checkId: 'reconciliation:attributed_vs_booked', kind: 'reconciliation', table: 'model.credits', column: 'pipeline_credit', status: 'skip', severity: r.severity, observed: null, threshold: null, message: 'No successful attribution run to reconcile.' });
    } else {
      const totals = `credited pipeline ${row.credited_pipeline} vs booked ${row.booked_pipeline}, credited revenue ${row.credited_revenue} vs won ${row.booked_revenue}`;
      out.push({
        checkId: 'reconciliation:attributed_vs_booked',
        kind: 'reconciliation',
        table: 'model.credits',
        column: 'pipeline_credit|revenue_credit',
        status: verdict(row.mismatched > 0, r.severity),
        severity: r.severity,
        observed: `${row.mismatched} of ${row.opportunities} opportunities off`,
        threshold: `difference <= ${r.tolerance} per opportunity`,
        message: row.mismatched
          ? `Run ${row.run_id}: ${row.mismatched} opportunities do not reconcile (${row.missing_from_run} not in the run, ${row.gone_from_warehouse} no longer in the warehouse); ${totals}. Re-run attribution.`
          : `Run ${row.run_id}: credits add up to the booked amount of every opportunity; ${totals}.`,
      });
    }
  }
  return out;
}
