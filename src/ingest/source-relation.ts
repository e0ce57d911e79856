/**
 * Builds the SQL that reads one input file as text, with DuckDB's own readers, into the shape the
 * validation expects: `__row` (1-based data row), `__nl` (line breaks inside the row's quoted
 * fields, CSV only), `r_<column>` for each canonical column (VARCHAR; NULL when the file lacks an
 * optional column) and `__attrs` (JSON of the extra columns, or NULL).
 *
 * CSV: `read_csv` with all_varchar, a header row, `"` as quote and escape, strict mode (a row with
 * the wrong number of fields or an unterminated quote makes the file unreadable), UTF-8 (a BOM is
 * skipped). NDJSON: `read_ndjson_objects`, one object per line. Parquet: `read_parquet` with
 * `file_row_number`, every column cast to text (lists joined with `|`).
 *
 * Header names are matched case-insensitively after trimming. A file whose header lacks a
 * required column of its table is unreadable: the error names the file and the missing columns.
 *
 * @example
 * const src = await sourceRelation(wh, { path: 'data/partners.csv', format: 'csv', table: 'partners' });
 * if (src.raw) await wh.run(`copy (${src.raw}) to '/tmp/raw.parquet' (format parquet)`);
 * await wh.run(`create temp table s as ${src.overRaw?.('/tmp/raw.parquet') ?? src.sql}`);
 */
import { JointlyError, messageOf } from '../core/errors.js';
import { TABLES, ident, type TableName, type Warehouse } from '../warehouse/index.js';

export const FILE_FORMATS = ['csv', 'tsv', 'ndjson', 'parquet'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export interface SourceFile {
  path: string;
  format: FileFormat;
  table: TableName;
}

export interface SourceRelation {
  /**
   * The text relation. For CSV and NDJSON this reads the file directly and numbers the rows with
   * `row_number() over ()`, which serialises everything downstream: loadFile uses
   * {@link SourceRelation.raw} and {@link SourceRelation.overRaw} instead.
   */
  sql: string;
  /**
   * CSV and NDJSON: the plain reader select to copy (`copy (<raw>) to 'x.parquet'`) while
   * `preserve_insertion_order` is on. The copy reads the file in parallel and writes it in file
   * order, so Parquet's `file_row_number` is the data row; validation over that file is fully
   * parallel. (A temp table would keep order too, but a table created inside the batch's
   * transaction is transaction-local, and the validation reads such a table about 3x slower.)
   * Parquet input: undefined (its reader gives `file_row_number` itself).
   */
  raw?: string;
  /** The text relation over the Parquet copy of {@link SourceRelation.raw} at `rawFile`. */
  overRaw?: (rawFile: string) => string;
  /** Canonical columns present in the file. */
  present: string[];
  /** Extra columns kept as attributes. */
  extras: string[];
  /** How `__row` maps to a physical line: CSV header is line 1, NDJSON row n is line n. */
  lines: 'csv' | 'ndjson' | 'none';
}

/** The column of the raw copy that holds a CSV row's line breaks inside quoted fields. */
const RAW_NL_COLUMN = '"__jointly_nl"';

/** A SQL string literal (file paths are user input; they never go into identifiers). */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Any identifier as a quoted name (header names from files are arbitrary). */
function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function readerCall(file: SourceFile): string {
  const p = sqlString(file.path);
  switch (file.format) {
    case 'csv':
    case 'tsv':
      return (
        `read_csv(${p}, all_varchar = true, header = true, delim = ${file.format === 'tsv' ? "'\\t'" : "','"}, ` +
        `quote = '"', escape = '"', strict_mode = true, encoding = 'utf-8', null_padding = false)`
      );
    case 'ndjson':
      return `read_ndjson_objects(${p})`;
    case 'parquet':
      return `read_parquet(${p}, file_row_number = true)`;
  }
}

function unreadable(file: SourceFile, why: string, cause?: unknown): JointlyError {
  return new JointlyError('INPUT_UNREADABLE', `Cannot read ${file.path} (table ${file.table}): ${why}`, {
    cause,
  });
}

/** First meaningful line of a DuckDB error (its messages run to many lines). */
export function shortReason(error: unknown): string {
  const lines = messageOf(error)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const head = (lines[0] ?? 'unknown error').replace(/^Warehouse query failed: /, '').replace(/ \(in: .*$/, '');
  const detail = lines.find((l) => /Invalid unicode|Expected Number of Columns|Value with unterminated quote|not utf-8/i.test(l));
  return detail && detail !== head ? `${head} ${detail}` : head;
}

/** Reads the header (or the keys of an NDJSON file) and builds the text relation. */
export async function sourceRelation(wh: Warehouse, file: SourceFile): Promise<SourceRelation> {
  const spec = TABLES[file.table];
  const call = readerCall(file);
  let names: { name: string; type: string }[];
  try {
    if (file.format === 'ndjson') {
      const rows = await wh.all<{ k: string }>(
        `select distinct unnest(json_keys(json)) as k from ${call} where json_type(json) = 'OBJECT'`,
      );
      names = rows.map((r) => ({ name: r.k, type: 'VARCHAR' }));
    } else {
      const rows = await wh.all<{ column_name: string; column_type: string }>(`describe select * from ${call}`);
      names = rows
        .filter((r) => !(file.format === 'parquet' && r.column_name === 'file_row_number'))
        .map((r) => ({ name: r.column_name, type: r.column_type }));
    }
  } catch (error) {
    throw unreadable(file, shortReason(error), error);
  }
  const byCanonical = new Map<string, { name: string; type: string }>();
  const extras: { name: string; type: string }[] = [];
  const known = new Set(spec.columns.map((c) => c.name));
  for (const n of names) {
    const canonical = n.name.trim().toLowerCase();
    if (known.has(canonical) && !byCanonical.has(canonical)) byCanonical.set(canonical, n);
    else extras.push(n);
  }
  const missing = spec.columns.filter((c) => !c.optional && !byCanonical.has(c.name)).map((c) => c.name);
  if (missing.length) {
    throw unreadable(
      file,
      `the ${file.format === 'ndjson' ? 'objects lack' : 'header lacks'} required column${missing.length > 1 ? 's' : ''} ` +
        `${missing.join(', ')} (found: ${names.map((n) => n.name).join(', ') || 'nothing'}). ` +
        `Expected columns: ${spec.columns.map((c) => c.name + (c.optional ? '?' : '')).join(', ')}.`,
    );
  }

  const text = (n: { name: string; type: string }): string => {
    if (file.format === 'ndjson') {
      const path = sqlString(`$.${quoteName(n.name)}`);
      return (
        `case when json_type(json, ${path}) = 'ARRAY' then array_to_string(json_extract_string(json, ${path} || '[*]'), '|') ` +
        `else json_extract_string(json, ${path}) end`
      );
    }
    if (/\[\]$/.test(n.type)) return `array_to_string(${quoteName(n.name)}, '|')`;
    return n.type === 'VARCHAR' ? quoteName(n.name) : `cast(${quoteName(n.name)} as varchar)`;
  };

  const cols = spec.columns.map((c) => {
    const n = byCanonical.get(c.name);
    return `${n ? text(n) : 'cast(null as varchar)'} as ${ident('r_' + c.name)}`;
  });
  const attrs = extras.length
    ? file.format === 'ndjson'
      ? `json_object(${extras.map((e) => `${sqlString(e.name)}, json_extract(json, ${sqlString(`$.${quoteName(e.name)}`)})`).join(', ')})`
      : `to_json(struct_pack(${extras.map((e) => `${quoteName(e.name)} := ${quoteName(e.name)}`).join(', ')}))`
    : 'cast(null as json)';

  let nlExpr = '0';
  let lines: SourceRelation['lines'];
  if (file.format === 'parquet') lines = 'none';
  else lines = file.format === 'ndjson' ? 'ndjson' : 'csv';
  if (lines === 'csv') {
    // Line breaks inside quoted fields shift the physical line of every later row. Counting them
    // is cheap when a field has none (the common case): contains() short-circuits.
    const all = names.map((n) => quoteName(n.name));
    const any = all.map((a) => `contains(${a}, chr(10))`).join(' or ');
    const joined = `concat_ws('', ${all.join(', ')})`;
    nlExpr = `case when ${any} then length(${joined}) - length(replace(${joined}, chr(10), '')) else 0 end`;
  }
  const select = (rowExpr: string, from: string, nl = nlExpr): string =>
    `select cast(${rowExpr} as bigint) as __row, cast(${nl} as integer) as __nl, ${cols.join(', ')}, ` +
    `${attrs} as __attrs from ${from}`;
  const common = { present: [...byCanonical.keys()], extras: extras.map((e) => e.name), lines };
  if (file.format === 'parquet') return { sql: select('file_row_number + 1', call), ...common };
  const objects = file.format === 'ndjson' ? ` where json_type(json) = 'OBJECT'` : '';
  // The raw copy also counts each row's quoted line breaks (column RAW_NL_COLUMN), so that the
  // line numbers can be worked out later from the row number and that one integer column.
  const rawNl = lines === 'csv' ? `, cast(${nlExpr} as integer) as ${RAW_NL_COLUMN}` : '';
  return {
    // Window functions run after WHERE: row_number counts the objects, as the raw copy does.
    sql: select('row_number() over ()', call + objects),
    raw: `select *${rawNl} from ${call}${objects}`,
    overRaw: (rawFile) =>
      select('file_row_number + 1', `read_parquet(${sqlString(rawFile)}, file_row_number = true)`, lines === 'csv' ? RAW_NL_COLUMN : '0'),
    ...common,
  };
}
