/**
 * `generateDemoData`: writes one file per canonical table for a realistic B2B company plus
 * `truth.json` with the planted causal effects, experiments, anomalies, cohorts, identities and
 * every dirty row. Deterministic for a seed: same seed, byte-identical files.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { JointlyError, messageOf } from '../core/index.js';
import { TABLES, TABLE_NAMES, Warehouse, type TableName } from '../warehouse/index.js';
import { buildFx, buildPartners, writeActivities, writeFxCsv, writePartners } from './build-company.js';
import { SCALES, SCALE_PARAMS, type Scale } from './catalog.js';
import { DIRTY_RULES } from './dirty-rules.js';
import { AccountSimulator, type SimTable, type SimWriters } from './simulate-accounts.js';
import { TableWriter, type DirtyRow, type FileSummary } from './table-writer.js';
import { buildTruth } from './truth.js';

export interface GenerateOptions {
  seed: number;
  scale: Scale;
  outDir: string;
  /** Share of extra bad rows per table (default 0.005). 0 writes clean data only. */
  dirtyFraction?: number;
  /** Called now and then with the number of accounts done and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateSummary {
  outDir: string;
  seed: number;
  scale: Scale;
  seconds: number;
  files: FileSummary[];
  truthFile: string;
  dirtyRows: number;
  counts: Record<string, number>;
}

const optionsSchema = z.object({
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  scale: z.enum(SCALES),
  outDir: z.string().min(1),
  dirtyFraction: z.number().min(0).max(0.2).default(0.005),
});

/** Which key column gets a fresh value in dirty copies (tables with a single id). */
const ID_COLUMN: Partial<Record<TableName, string>> = {
  partners: 'partner_id',
  accounts: 'account_id',
  contacts: 'contact_id',
  activities: 'activity_id',
  touchpoints: 'touchpoint_id',
  opportunities: 'opportunity_id',
  revenue: 'revenue_id',
  feedback: 'feedback_id',
};
const MULTILINE: readonly TableName[] = ['accounts', 'activities', 'opportunities', 'partners'];
const NDJSON: readonly TableName[] = ['feedback'];

/**
 * Generates the demo data set into `outDir`.
 *
 * @example
 * const summary = await generateDemoData({ seed: 42, scale: 'small', outDir: './demo-data' });
 * // summary.files: [{ table: 'touchpoints', file: 'touchpoints.csv', rows: 12000, ... }, ...]
 * // ./demo-data/truth.json holds the planted effects and the list of dirty rows.
 */
export async function generateDemoData(options: GenerateOptions): Promise<GenerateSummary> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JointlyError(
      'BAD_ARGUMENT',
      `Invalid generate option ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}. ` +
        `Expected seed 0..2147483647, scale one of ${SCALES.join('|')}, dirtyFraction 0..0.2.`,
      { cause: parsed.error },
    );
  }
  const { seed, scale, dirtyFraction } = parsed.data;
  const outDir = resolve(parsed.data.outDir);
  const started = process.hrtime.bigint();
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (error) {
    throw new JointlyError('BAD_ARGUMENT', `Cannot create the output folder ${outDir}: ${messageOf(error)}`, { cause: error });
  }
  const params = SCALE_PARAMS[scale];
  const dirty: DirtyRow[] = [];
  const writer = (table: TableName, dir: string, fraction: number): TableWriter => {
    const idColumn = ID_COLUMN[table];
    return new TableWriter({
      dir,
      table,
      format: NDJSON.includes(table) ? 'ndjson' : 'csv',
      columns: TABLES[table].columns.map((c) => c.name),
      rules: DIRTY_RULES[table],
      dirtyFraction: fraction,
      seed,
      streamIndex: TABLE_NAMES.indexOf(table),
      ...(idColumn ? { idColumn } : {}),
      bom: table === 'partners',
      multiline: MULTILINE.includes(table),
      numericColumns: ['rating'],
      dirtySink: dirty,
    });
  };

  // fx rates: CSV in a temp folder, then Parquet through DuckDB.
  const fx = buildFx(seed);
  const tmp = mkdtempSync(join(tmpdir(), 'jointly-gen-'));
  const files: FileSummary[] = [];
  try {
    const fxWriter = writer('fx_rates', tmp, 0);
    writeFxCsv(fx, fxWriter);
    const fxCsv = fxWriter.close();
    const parquet = join(outDir, 'fx_rates.parquet');
    const wh = await Warehouse.open(':memory:', { skipMigrations: true });
    try {
      await wh.run(
        `copy (select * from read_csv('${sqlPath(join(tmp, fxCsv.file))}', header = true, ` +
          `columns = {'currency': 'VARCHAR', 'valid_from': 'DATE', 'rate_to_base': 'DOUBLE'}) ` +
          `order by currency, valid_from) to '${sqlPath(parquet)}' (format parquet)`,
      );
    } finally {
      await wh.close();
    }
    files.push({ ...fxCsv, file: 'fx_rates.parquet', format: 'parquet', lines: 0, bytes: statSync(parquet).size });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const simTables = TABLE_NAMES.filter((t): t is SimTable => t !== 'fx_rates');
  const writers = Object.fromEntries(simTables.map((t) => [t, writer(t, outDir, dirtyFraction)]));
  const w = pickWriters(writers);
  const partners = buildPartners(seed, params.partners);
  writePartners(partners, seed, w.partners);
  const acts = writeActivities(partners, seed, fx, w.activities);
  const sim = new AccountSimulator({ seed, params, partners, fx, w });
  sim.run(options.onProgress ? (done) => options.onProgress?.(done, params.accounts) : undefined);
  for (const t of simTables) files.push(w[t].close());
  const awkward = [
    ...acts.awkward.map((a) => ({ table: 'activities' as const, file: 'activities.csv', ...a })),
    ...sim.awkward,
  ];
  const truth = buildTruth({
    seed,
    scale,
    dirtyFraction,
    sim,
    partners,
    files,
    dirty,
    awkward,
    extraCounts: { partners: partners.length, activities: acts.activities, joint_activities: acts.jointActivities },
  });
  const truthFile = join(outDir, 'truth.json');
  writeFileSync(truthFile, JSON.stringify(truth, null, 1) + '\n');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    outDir,
    seed,
    scale,
    seconds: Math.round(seconds * 1000) / 1000,
    files,
    truthFile,
    dirtyRows: dirty.length,
    counts: truth.counts,
  };
}

function pickWriters(all: Record<string, TableWriter>): SimWriters {
  const get = (t: SimTable): TableWriter => {
    const w = all[t];
    if (!w) throw new Error(`no writer for ${t}`);
    return w;
  };
  return {
    partners: get('partners'),
    accounts: get('accounts'),
    contacts: get('contacts'),
    activities: get('activities'),
    touchpoints: get('touchpoints'),
    opportunities: get('opportunities'),
    opportunity_stages: get('opportunity_stages'),
    opportunity_contacts: get('opportunity_contacts'),
    revenue: get('revenue'),
    usage: get('usage'),
    experiments: get('experiments'),
    feedback: get('feedback'),
  };
}

function sqlPath(p: string): string {
  return p.replace(/'/g, "''");
}
