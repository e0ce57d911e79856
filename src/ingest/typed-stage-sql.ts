/**
 * Generates, from the table spec in tables.ts, the one statement that turns a file's text rows
 * into typed, resolved rows with a verdict: every check of every column runs set-wise in DuckDB.
 *
 * Layers (CTEs): `s` the file as text -> `v` trimmed, empty as NULL -> `t` parsed values ->
 * `j` references resolved (partner aliases, account aliases, contact -> account, fx rate from the
 * temp tables ingest_fx_days and ingest_fx_last that load-file makes) ->
 * `e` first failing check (`__err`, an index into `checks`) and the content hash -> final select
 * with the status against core: `quarantined`, `loaded` (new key), `duplicate` (same key, same
 * hash), `updated` (same key, new hash); accounts also `aliased` (new id, known domain).
 *
 * Normalisations (documented in README.md): timestamps accept ISO 8601 (with `Z` or an offset,
 * converted to UTC; a date alone is midnight UTC), `YYYY-MM-DD HH:MM[:SS]`, `MM/DD/YYYY[ HH:MM[:SS]]`
 * (US spreadsheets; `01/02/2024` is 2 January), `DD.MM.YYYY[ HH:MM[:SS]]` and `YYYY/MM/DD`. Date
 * columns take the same forms at midnight. Enums and channel are lower-cased; currencies upper-cased.
 *
 * @example
 * const stage = typedStageSql({ spec: TABLES.partners, source, ctx });
 * await wh.run(`create temp table t as ${stage.sql}`);
 */
import {
  NEGATIVE_REVENUE_KINDS,
  TABLES,
  ident,
  storedColumns,
  type ColumnSpec,
  type TableName,
  type TableSpec,
} from '../warehouse/index.js';
import type { ReasonCode } from './reason-codes.js';
import { sqlString, type SourceRelation } from './source-relation.js';

export interface StageContext {
  batchId: number;
  /** The file as the user named it; stored as source_file. */
  file: string;
  baseCurrency: string;
  /** Timestamps later than now + 1 day are quarantined. */
  now: Date;
  /** Referenced tables that hold rows (in core, including earlier files of this batch). */
  loaded: ReadonlySet<TableName>;
  /** Whether the temp table with the PII key pads exists. */
  hasPiiKey: boolean;
}

export interface Check {
  code: ReasonCode;
  column: string | null;
}

export interface TypedStage {
  sql: string;
  checks: Check[];
  /** Stored columns of core.<table>, in order. */
  coreColumns: string[];
  /** Key columns as stored (pii -> _hash). */
  keyColumns: string[];
  /**
   * With `coreEmpty` only: the rows' candidate-key hashes (`kh`) that occur more than once in the
   * file. The statement reads only the key columns (no joins). A candidate key is a coarse form of
   * the stored key: rows with equal stored keys always have equal candidate keys (the reverse
   * need not hold), so a row whose candidate key is unique has no copy in the file. The stage
   * statement then also has the column `__ck` with each row's candidate-key hash. Accounts add
   * the hash of the normalised domain (`__cd`, NULL without a domain) to the same set: a row whose
   * domain occurs more than once may become an alias, and is decided with the rest.
   */
  candidatesSql?: string;
}

/** Timestamp columns that may lie in the future (planned activities). */
const PLANNED = new Set(['activities.start_at', 'activities.end_at']);

/** 2^64 - 1 as a UHUGEINT: the low 64 bits of md5_number are md5_number_upper. */
const LOW64 = '18446744073709551615::uhugeint';

const TS_FORMATS = [
  '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y',
  '%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y',
  '%Y/%m/%d %H:%M:%S', '%Y/%m/%d',
];
const TRUE_WORDS = ['true', 't', 'yes', 'y', '1'];
const FALSE_WORDS = ['false', 'f', 'no', 'n', '0'];

const q = (name: string): string => ident(name);
const list = (vals: readonly string[]): string => vals.map(sqlString).join(', ');

/** Parses text to a UTC timestamp, or NULL. */
export function timestampExpr(v: string): string {
  const hasOffset =
    `length(${v}) > 16 and contains(${v}, ':') and ` +
    `(substr(${v}, -6, 1) in ('+', '-') or substr(${v}, -5, 1) in ('+', '-') or substr(${v}, -3, 1) in ('+', '-'))`;
  return (
    `case when ${hasOffset} then timezone('UTC', try_cast(${v} as timestamptz)) ` +
    `else coalesce(try_cast(${v} as timestamp), try_strptime(${v}, [${list(TS_FORMATS)}])) end`
  );
}

/** The HMAC-SHA256 (hex) of a text, with the key pads from the temp table `ingest_pii_key`. */
export function hmacExpr(v: string): string {
  return (
    `sha256((select op from ingest_pii_key) || unhex(sha256((select ip from ingest_pii_key) || encode(${v}))))`
  );
}

function piiInput(col: ColumnSpec, v: string): string {
  // Emails are compared case-insensitively everywhere, so they are hashed lower-cased.
  return col.name === 'email' ? `lower(${v})` : v;
}

function parsedExpr(col: ColumnSpec, v: string, ctx: StageContext): string {
  if (col.pii) return ctx.hasPiiKey ? `case when ${v} is not null then ${hmacExpr(piiInput(col, v))} end` : 'cast(null as varchar)';
  switch (col.type) {
    case 'text':
      return col.lowercase ? `lower(${v})` : v;
    case 'enum':
      return `lower(${v})`;
    case 'integer':
      return `case when regexp_full_match(${v}, '[+-]?[0-9]+') then try_cast(${v} as integer) end`;
    case 'double':
      return `case when isfinite(try_cast(${v} as double)) then try_cast(${v} as double) end`;
    case 'money':
      return `case when regexp_full_match(${v}, '-?[0-9]+([.][0-9]{1,2})?') then try_cast(${v} as decimal(18,2)) end`;
    case 'timestamp':
    case 'date':
      return timestampExpr(v);
    case 'boolean':
      return `case when lower(${v}) in (${list(TRUE_WORDS)}) then true when lower(${v}) in (${list(FALSE_WORDS)}) then false end`;
    case 'list':
      return `list_filter(list_transform(string_split(${v}, '|'), x -> trim(x)), x -> x <> '')`;
  }
}

function parseCode(col: ColumnSpec): ReasonCode | undefined {
  switch (col.type) {
    case 'integer':
      return 'bad_integer';
    case 'double':
      return 'bad_number';
    case 'money':
      return 'bad_amount';
    case 'timestamp':
      return 'bad_timestamp';
    case 'date':
      return 'bad_date';
    case 'boolean':
      return 'bad_boolean';
    case 'list':
      return 'bad_list';
    default:
      return undefined;
  }
}

const UNKNOWN: Partial<Record<TableName, ReasonCode>> = {
  partners: 'unknown_partner',
  accounts: 'unknown_account',
  contacts: 'unknown_contact',
  activities: 'unknown_activity',
  opportunities: 'unknown_opportunity',
};

/** Which column's date converts a table's money, as an expression over layer `t`. */
function fxDateExpr(table: TableName): string | undefined {
  switch (table) {
    case 'activities':
      return 't.p_start_at';
    case 'opportunities':
      return `case when t.p_is_closed and t.p_close_date is not null then t.p_close_date else t.p_created_at end`;
    case 'revenue':
      return 't.p_period_start';
    case 'opportunity_stages':
      return 't.p_entered_at';
    default:
      return undefined;
  }
}

/**
 * Normalises a web domain: lower case, no scheme, no `www.`, no path, query or port, no trailing dot.
 * `HTTPS://www.Acme.com/about` -> `acme.com`. A value without `:`, `/`, `?`, `#`, a leading
 * `www.` or a trailing dot (most of them) is only lower-cased: the four regular expressions cost
 * about as much as the rest of the accounts statement (checked equal on tricky forms and 200k
 * generated ones).
 */
export function normalisedDomainExpr(v: string): string {
  const noScheme = `regexp_replace(lower(${v}), '^[a-z][a-z0-9+.-]*://', '')`;
  const hostOnly = `regexp_replace(regexp_replace(${noScheme}, '[/?#].*$', ''), ':[0-9]+$', '')`;
  const plain =
    `not (contains(${v}, ':') or contains(${v}, '/') or contains(${v}, '?') or contains(${v}, '#') ` +
    `or starts_with(lower(${v}), 'www.') or ends_with(${v}, '.'))`;
  return `case when ${plain} then nullif(lower(${v}), '') else nullif(rtrim(regexp_replace(${hostOnly}, '^www[.]', ''), '.'), '') end`;
}

/**
 * Builds the typed stage statement for one file. With `coreEmpty` (the caller knows that
 * core.<table> holds no row, and for accounts core.account_aliases neither) the statement skips
 * the lookup of each key in core: every row is `quarantined` or `loaded`.
 */
export function typedStageSql(args: { spec: TableSpec; source: SourceRelation; ctx: StageContext; coreEmpty?: boolean }): TypedStage {
  const { spec, source, ctx } = args;
  const coreEmpty = args.coreEmpty === true;
  const table = spec.name;
  const cols = spec.columns;
  const checks: Check[] = [];
  const conds: string[] = [];
  const reasons: string[] = [];
  const add = (code: ReasonCode, column: string | null, cond: string, reason: string): void => {
    checks.push({ code, column });
    conds.push(cond);
    reasons.push(reason);
  };
  const shown = (c: string): string => `coalesce('"' || left(v_${c}, 80) || '"', 'empty')`;

  // Layer v: trimmed text, empty as NULL.
  const vCols = cols.map((c) => `nullif(trim(${q('r_' + c.name)}), '') as ${q('v_' + c.name)}`);
  // Layer t: parsed values p_<col>.
  const tCols = cols.map((c) => `${parsedExpr(c, q('v_' + c.name), ctx)} as ${q('p_' + c.name)}`);

  // Layer j: joins for references and fx.
  const joins: string[] = [];
  const jCols: string[] = [];
  /** Final value expression per stored column (over layer j). */
  const finalOf = new Map<string, string>();
  const hasMoney = cols.some((c) => c.type === 'money');
  const currencyCol = cols.find((c) => c.name === 'currency');

  for (const c of cols) {
    const p = `t.${q('p_' + c.name)}`;
    if (c.pii) {
      finalOf.set(`${c.name}_hash`, q('p_' + c.name));
      continue;
    }
    if (c.type === 'date') {
      jCols.push(`case when ${p} = date_trunc('day', ${p}) then cast(${p} as date) end as ${q('x_' + c.name)}`);
      finalOf.set(c.name, q('x_' + c.name));
      continue;
    }
    const ref = c.ref;
    if (ref && ctx.loaded.has(ref.table)) {
      const alias = q('ref_' + c.name);
      if (c.type === 'list') {
        // A list of partner ids (activities.partner_ids): resolve each element.
        joins.push(
          `left join (select u.__row, list(m.partner_id order by u.i) as ids, bool_or(m.partner_id is null) as has_unknown ` +
            `from (select __row, unnest(${q('p_' + c.name)}) as x, unnest(range(1, len(${q('p_' + c.name)}) + 1)) as i from t) u ` +
            `left join ingest_partner_map m on m.k = lower(u.x) group by u.__row) ${alias} on ${alias}.__row = t.__row`,
        );
        jCols.push(`${alias}.ids as ${q('x_' + c.name)}`, `coalesce(${alias}.has_unknown, false) as ${q('u_' + c.name)}`);
      } else if (ref.table === 'partners') {
        joins.push(`left join ingest_partner_map ${alias} on ${alias}.k = lower(${p})`);
        jCols.push(`${alias}.partner_id as ${q('x_' + c.name)}`, `(${p} is not null and ${alias}.partner_id is null) as ${q('u_' + c.name)}`);
      } else if (ref.table === 'accounts') {
        joins.push(`left join ingest_account_map ${alias} on ${alias}.k = ${p}`);
        jCols.push(`${alias}.account_id as ${q('x_' + c.name)}`, `(${p} is not null and ${alias}.account_id is null) as ${q('u_' + c.name)}`);
      } else {
        const target = TABLES[ref.table];
        const extra = ref.table === 'contacts' ? `, account_id` : ref.table === 'opportunities' ? ', currency' : '';
        joins.push(
          `left join (select ${q(ref.column)} as k${extra} from core.${q(target.name)}) ${alias} on ${alias}.k = ${p}`,
        );
        jCols.push(`${alias}.k as ${q('x_' + c.name)}`, `(${p} is not null and ${alias}.k is null) as ${q('u_' + c.name)}`);
      }
      finalOf.set(c.name, q('x_' + c.name));
      continue;
    }
    jCols.push(`${table === 'accounts' && c.name === 'domain' ? normalisedDomainExpr(p) : p} as ${q('x_' + c.name)}`);
    if (ref) jCols.push(`false as ${q('u_' + c.name)}`);
    finalOf.set(c.name, q('x_' + c.name));
  }

  // Currency and fx rate.
  const base = sqlString(ctx.baseCurrency);
  if (hasMoney) {
    let cur: string;
    if (currencyCol) cur = `coalesce(upper(t.${q('p_currency')}), ${base})`;
    else if (table === 'opportunity_stages' && ctx.loaded.has('opportunities')) cur = `coalesce(${q('ref_opportunity_id')}.currency, ${base})`;
    else cur = base;
    jCols.push(`${cur} as __cur`);
    const dateExpr = fxDateExpr(table);
    if (dateExpr && ctx.loaded.has('fx_rates')) {
      // The latest rate valid on the row's day: a hash join on (currency, day) with the day table
      // ingest_fx_days (every day from a currency's first rate to its last), and after the last
      // rate's day that rate (ingest_fx_last). An ASOF join gave the same rates but sorted the whole
      // wide row set in one partition per currency (most rows are in the base currency): 1.3 of
      // 2.1 s CPU of the opportunities statement at medium.
      const day = `cast(coalesce(${dateExpr}, timestamp '1900-01-01') as date)`;
      joins.push(
        `left join ingest_fx_days fx on fx.currency = ${cur} and fx.day = ${day}`,
        `left join ingest_fx_last fxl on fxl.currency = ${cur}`,
      );
      jCols.push(`case when ${cur} = ${base} then 1.0 when ${day} > fxl.last_from then fxl.last_rate else fx.rate_to_base end as __rate`);
    } else {
      jCols.push(`case when ${cur} = ${base} then 1.0 end as __rate`);
    }
  }
  if (currencyCol) finalOf.set('currency', hasMoney ? '__cur' : `upper(${q('x_currency')})`);

  // Checks, in column order.
  for (const c of cols) {
    const v = q('v_' + c.name);
    const p = c.pii ? '' : c.type === 'date' ? q('x_' + c.name) : q('x_' + c.name);
    const label = sqlString(`${c.name}: `);
    if (!c.optional) add('missing_value', c.name, `${v} is null`, `${label} || 'a value is required'`);
    if (c.pii) continue;
    const pc = parseCode(c);
    const rawP = c.ref && ctx.loaded.has(c.ref.table) ? q('p_' + c.name) : p;
    if (c.type === 'date') {
      add('bad_date', c.name, `${v} is not null and ${p} is null`,
        `${label} || ${shown(c.name)} || ' is not a date (YYYY-MM-DD, MM/DD/YYYY or DD.MM.YYYY)'`);
    } else if (c.type === 'list') {
      add('bad_list', c.name, `${v} is not null and len(${rawP}) = 0`, `${label} || ${shown(c.name)} || ' holds no value'`);
    } else if (pc) {
      const what: Record<string, string> = {
        bad_integer: 'is not a whole number',
        bad_number: 'is not a number',
        bad_amount: 'is not an amount (digits with at most 2 decimals and a dot, e.g. 1234.50)',
        bad_timestamp: 'is not a timestamp (ISO 8601, YYYY-MM-DD HH:MM, MM/DD/YYYY or DD.MM.YYYY)',
        bad_boolean: 'is not a boolean (true/false, yes/no, 1/0)',
      };
      add(pc, c.name, `${v} is not null and ${rawP} is null`, `${label} || ${shown(c.name)} || ' ${what[pc] ?? 'is not valid'}'`);
    }
    if (c.type === 'enum' && c.values) {
      add('bad_enum', c.name, `${p} is not null and ${p} not in (${list(c.values)})`,
        `${label} || ${shown(c.name)} || ${sqlString(` is not one of ${c.values.join(', ')}`)}`);
    }
    if (c.name === 'currency') {
      add('bad_currency', c.name, `${v} is not null and not regexp_full_match(upper(${v}), '[A-Z]{3}')`,
        `${label} || ${shown(c.name)} || ' is not an ISO 4217 code like USD'`);
    }
    if (c.type === 'integer' && (c.min !== undefined || c.max !== undefined)) {
      const parts = [c.min !== undefined ? `${p} < ${c.min}` : '', c.max !== undefined ? `${p} > ${c.max}` : ''].filter(Boolean);
      add('out_of_range', c.name, `${p} is not null and (${parts.join(' or ')})`,
        `${label} || ${shown(c.name)} || ${sqlString(` is outside ${c.min ?? '-∞'}..${c.max ?? '∞'}`)}`);
    }
    if (c.type === 'double' && c.name === 'rate_to_base') {
      add('out_of_range', c.name, `${p} is not null and ${p} <= 0`, `${label} || ${shown(c.name)} || ' must be greater than 0'`);
    }
    if (c.type === 'money') {
      if (table === 'revenue' && c.name === 'amount') {
        const negKinds = list(NEGATIVE_REVENUE_KINDS);
        add('negative_amount', c.name, `${p} < 0 and x_kind not in (${negKinds})`,
          `${label} || ${shown(c.name)} || ' is negative; only contraction, churn and refund lines are negative'`);
        add('positive_amount', c.name, `${p} > 0 and x_kind in (${negKinds})`,
          `${label} || ${shown(c.name)} || ' is positive; contraction, churn and refund lines carry amounts <= 0'`);
      } else {
        add('negative_amount', c.name, `${p} < 0`, `${label} || ${shown(c.name)} || ' must not be negative'`);
      }
    }
    if (c.type === 'timestamp' && !PLANNED.has(`${table}.${c.name}`)) {
      const limit = `timestamp '${ctx.now.toISOString().replace('T', ' ').replace('Z', '')}' + interval 1 day`;
      add('future_timestamp', c.name, `${p} > ${limit}`, `${label} || ${shown(c.name)} || ' lies more than a day in the future'`);
    }
    if (c.ref && ctx.loaded.has(c.ref.table)) {
      const code = UNKNOWN[c.ref.table] ?? 'missing_value';
      const what = c.ref.table === 'partners' ? 'no partner has this id or alias' : `no ${c.ref.table} row has this ${c.ref.column}`;
      add(code, c.name, q('u_' + c.name), `${label} || ${shown(c.name)} || ${sqlString(`: ${what}`)}`);
    }
  }
  if (table === 'touchpoints') {
    add('missing_account_or_contact', 'account_id', `x_account_filled is null`,
      `'account_id/contact_id: a touch needs an account or a contact' || case when v_contact_id is not null then ' (the contact has no account)' else '' end`);
  }
  if (table === 'revenue') {
    add('end_before_start', 'period_end', `x_period_end < x_period_start`, `'period_end: ' || ${shown('period_end')} || ' is before period_start'`);
  }
  if (table === 'activities') {
    add('end_before_start', 'end_at', `x_end_at < x_start_at`, `'end_at: ' || ${shown('end_at')} || ' is before start_at'`);
  }
  if (hasMoney) {
    const moneyCols = cols.filter((c) => c.type === 'money').map((c) => `${q('x_' + c.name)} is not null`);
    add('no_fx_rate', currencyCol ? 'currency' : null, `(${moneyCols.join(' or ')}) and __rate is null`,
      `'currency: no fx rate for ' || __cur || ' on or before the row''s date; load fx_rates.csv with a rate valid from that date'`);
  }
  // Checks decided after this statement (within-file duplicates); never true here.
  add('duplicate_key', spec.key[0] ?? null, 'false', `'duplicate key'`);

  // Stored columns, in core order, with their final expressions.
  const coreColumns: string[] = [];
  const finals: string[] = [];
  for (const c of cols) {
    for (const sc of storedColumns(c)) {
      coreColumns.push(sc.name);
      let expr: string;
      if (sc.name.endsWith('_base') && c.type === 'money') {
        expr = `cast(round(cast(${q('x_' + c.name)} as decimal(38,2)) * cast(__rate as decimal(18,8)), 2) as decimal(18,2))`;
      } else if (table === 'touchpoints' && sc.name === 'account_id') {
        expr = 'x_account_filled';
      } else {
        expr = finalOf.get(sc.name) ?? 'null';
      }
      finals.push(`${expr} as ${q(sc.name)}`);
    }
  }
  const keyColumns = spec.key.map((k) => {
    const c = cols.find((x) => x.name === k);
    return c?.pii ? `${k}_hash` : k;
  });

  // Content hash over the trimmed text (pii as its hash) and the extra columns.
  const hashParts = cols.map((c) => (c.pii ? `coalesce(${q('p_' + c.name)}, chr(1))` : `coalesce(${q('v_' + c.name)}, chr(1))`));
  // UBIGINT: the first 8 bytes of the md5, i.e. md5_number_upper (migration 005 converted the
  // earlier hex hashes). Taken as the low 64 bits of md5_number (the same bytes: the digest read
  // little-endian), which DuckDB 1.5.6 computes about 3x faster than md5_number_upper itself
  // (2.37M e-mails: 0.32 s vs 1.03 s CPU, equal on every row).
  const rowHash = `cast(md5_number(concat_ws(chr(31), ${hashParts.join(', ')}, coalesce(cast(__attrs as varchar), chr(1)))) & ${LOW64} as ubigint)`;
  // Raw JSON for quarantine: trimmed text, pii replaced by its hash (never the raw value).
  const rawJson = `to_json(struct_pack(${cols
    .map((c) => `${q(c.name)} := ${c.pii ? `'hmac:' || ${q('p_' + c.name)}` : q('v_' + c.name)}`)
    .join(', ')}, attributes := __attrs))`;

  const errCase = `case ${conds.map((c, i) => `when ${c} then ${i + 1}`).join(' ')} end`;
  const reasonCase = `case __err ${reasons.map((r, i) => `when ${i + 1} then ${r}`).join(' ')} end`;

  const isAccounts = table === 'accounts';
  // Plain equality on required key columns keeps this a simple hash join; only optional key
  // columns (usage.user_id) need null-safe equality. Rows that fail a check never match: the
  // status looks at __err first.
  const optionalKeys = new Set(spec.key.filter((k) => cols.find((c) => c.name === k)?.optional).map((k) => {
    const c = cols.find((x) => x.name === k);
    return c?.pii ? `${k}_hash` : k;
  }));
  const keyJoin = keyColumns
    .map((k) => (optionalKeys.has(k) ? `c.${q(k)} is not distinct from e.${q(k)}` : `c.${q(k)} = e.${q(k)}`))
    .join(' and ');
  const statusCase = coreEmpty
    ? `case when e.__err is not null then 'quarantined' else 'loaded' end`
    : isAccounts
    ? `case when e.__err is not null then 'quarantined' when aa.alias_id is not null then 'duplicate' ` +
      `when c.row_hash = e.row_hash then 'duplicate' when c.row_hash is not null then 'updated' ` +
      `when d.account_id is not null then 'aliased' else 'loaded' end`
    : `case when e.__err is not null then 'quarantined' when c.row_hash = e.row_hash then 'duplicate' ` +
      `when c.row_hash is not null then 'updated' else 'loaded' end`;
  const accountJoins = isAccounts
    ? ` left join core.account_aliases aa on aa.alias_id = e.account_id` +
      ` left join (select domain, min(account_id) as account_id from core.accounts where domain is not null group by domain) d` +
      ` on d.domain = e.domain and d.account_id <> e.account_id`
    : '';
  const derived =
    table === 'touchpoints'
      ? `, ${ctx.loaded.has('contacts') ? `${q('ref_contact_id')}.account_id` : 'cast(null as varchar)'} as __contact_account`
      : '';
  const filled = table === 'touchpoints' ? ', coalesce(x_account_id, __contact_account) as x_account_filled' : '';

  // Candidate key (see TypedStage.candidatesSql): text as lower-cased trimmed text (pii before its
  // hash), timestamps and dates as parsed; references resolved through a map (account aliases,
  // partner aliases) can join different texts into one stored value and are left out.
  const coarse = spec.key.flatMap((k) => {
    const c = cols.find((x) => x.name === k);
    if (!c || (c.ref && (c.ref.table === 'accounts' || c.ref.table === 'partners'))) return [];
    if (c.type === 'timestamp' || c.type === 'date') return [q('p_' + c.name)];
    if (c.pii || c.type === 'text' || c.type === 'enum') return [`lower(${q('v_' + c.name)})`];
    return [];
  });
  const candidateKey = coarse.length ? `hash(${coarse.join(', ')})` : 'cast(0 as ubigint)';
  // Accounts: the normalised domain as stored (exact, not coarse), in its own hash space.
  const domain = normalisedDomainExpr(q('v_domain'));
  const domainCandidate = isAccounts ? `case when ${domain} is not null then hash('domain', ${domain}) end` : undefined;
  const layers = [
    `with s as (${source.sql}),`,
    `v as (select __row, __nl, __attrs, ${vCols.join(', ')} from s),`,
    `t as (select *, ${tCols.join(', ')} from v)`,
  ];
  const candidatesSql = !coreEmpty
    ? undefined
    : domainCandidate
    ? `${layers.join('\n')}\nselect kh from (select unnest([${candidateKey}, ${domainCandidate}]) as kh from t) ` +
      `where kh is not null group by kh having count(*) > 1`
    : `${layers.join('\n')}\nselect ${candidateKey} as kh from t group by kh having count(*) > 1`;

  const sql = [
    `with s as (${source.sql}),`,
    `v as (select __row, __nl, __attrs, ${vCols.join(', ')} from s),`,
    `t as (select *, ${tCols.join(', ')} from v),`,
    `j as (select t.*, ${jCols.join(', ')}${derived} from t ${joins.join(' ')}),`,
    `j2 as (select *${filled} from j),`,
    `k as (select *, ${errCase} as __err, ${rowHash} as row_hash from j2),`,
    `e as (select __row, __nl, __attrs, ${finals.join(', ')}, __err, row_hash,` +
      `${coreEmpty ? ` ${candidateKey} as __ck,${domainCandidate ? ` ${domainCandidate} as __cd,` : ''}` : ''}`,
    `  case when __err is not null then ${rawJson} end as __raw,`,
    `  case when __err is not null then ${reasonCase} end as __reason from k)`,
    `select e.*, ${statusCase} as __status, ${isAccounts && !coreEmpty ? 'd.account_id' : 'cast(null as varchar)'} as __alias_to`,
    coreEmpty ? 'from e' : `from e left join core.${q(table)} c on ${keyJoin}${accountJoins}`,
  ].join('\n');
  return { sql, checks, coreColumns, keyColumns, ...(candidatesSql ? { candidatesSql } : {}) };
}
