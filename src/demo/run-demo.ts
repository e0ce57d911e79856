/**
 * The demo, end to end: generate a company with planted truth, ingest it (dirty rows and all),
 * run every model that exists, create sign-in tokens, and summarise. `jointly demo` then serves
 * the dashboard. Each stage reads only what the stage before wrote to the warehouse.
 *
 * A stage that fails is reported as failed with its reason, never hidden; the demo goes on with
 * the stages that do not depend on it.
 *
 * @example
 * const result = await runDemo({ scale: 'small', dir: './demo', seed: 42 });
 */
import { existsSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { messageOf } from '../core/errors.js';
import { Warehouse } from '../warehouse/index.js';
import { generateDemoData, AS_OF } from '../generate/index.js';
import { ingestPaths } from '../ingest/index.js';
import { runAllModels, type RunSummary } from '../attribution/index.js';
import { getAttributionReport, type AttributionReportRow } from '../reports/index.js';
import { runIncrementality, readoutExperiments, type IncrementalityRow } from '../incrementality/index.js';
import { newCustomers } from '../customers/index.js';
import { createUser, createToken, runChecks } from '../governance/index.js';
import { createPayoutStatement, createForecast } from '../finance/index.js';
import { runEngagement } from '../engagement/index.js';

export interface DemoOptions {
  scale: 'small' | 'ci' | 'medium';
  /** Folder for the data files and the warehouse (recreated). */
  dir: string;
  seed?: number;
  /** The model the summary shows. */
  model?: string;
  onStep?: (step: string) => void;
}

export interface DemoStage {
  stage: string;
  ok: boolean;
  seconds: number;
  detail: string;
}

export interface DemoResult {
  dbPath: string;
  dataDir: string;
  stages: DemoStage[];
  model: string;
  topPartners: AttributionReportRow[];
  incrementality: IncrementalityRow[];
  tokens: { admin: string; partner?: { partnerId: string; name: string; token: string } };
  ingest: { rowsIn: number; loaded: number; quarantined: number; duplicates: number; plantedDirty: number };
  runs: RunSummary[];
}

export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const dir = resolve(opts.dir);
  const dataDir = join(dir, 'data');
  const dbPath = join(dir, 'jointly.duckdb');
  const model = opts.model ?? 'position_based';
  mkdirSync(dir, { recursive: true });
  for (const f of [dbPath, `${dbPath}.wal`]) if (existsSync(f)) rmSync(f);
  rmSync(dataDir, { recursive: true, force: true });
  // The demo makes its own PII key when none is set (never a real deployment's habit).
  process.env['JOINTLY_PII_KEY'] ??= randomBytes(32).toString('hex');

  const stages: DemoStage[] = [];
  const step = async <T>(stage: string, fn: () => Promise<T>, detail: (v: T) => string): Promise<T | undefined> => {
    opts.onStep?.(stage);
    const started = Date.now();
    try {
      const v = await fn();
      stages.push({ stage, ok: true, seconds: (Date.now() - started) / 1000, detail: detail(v) });
      return v;
    } catch (error) {
      stages.push({ stage, ok: false, seconds: (Date.now() - started) / 1000, detail: messageOf(error) });
      return undefined;
    }
  };

  const gen = await generateDemoData({ seed: opts.seed ?? 42, scale: opts.scale, outDir: dataDir });
  stages.push({
    stage: 'generate',
    ok: true,
    seconds: gen.seconds,
    detail: `${Object.values(gen.counts).reduce((a, b) => a + b, 0)} rows in ${gen.files.length} files, ${gen.dirtyRows} planted bad rows`,
  });

  const wh = await Warehouse.open(dbPath);
  try {
    const ingested = await ingestPaths(wh, [dataDir], { actor: 'demo' });
    const sum = (k: 'rows_in' | 'loaded' | 'quarantined' | 'duplicates') =>
      ingested.files.reduce((a, f) => a + Number(f[k]), 0);
    const ingest = {
      rowsIn: sum('rows_in'),
      loaded: sum('loaded'),
      quarantined: sum('quarantined'),
      duplicates: sum('duplicates'),
      plantedDirty: gen.dirtyRows,
    };
    stages.push({
      stage: 'ingest',
      ok: true,
      seconds: 0,
      detail: `batch ${ingested.batch_id}: ${ingest.rowsIn} rows in, ${ingest.loaded} loaded, ${ingest.duplicates} duplicates, ${ingest.quarantined} quarantined`,
    });

    const attribution = await step('attribution', () => runAllModels(wh, {}), (r) =>
      `${r.runs.length} models run${r.failures.length ? `, ${r.failures.length} failed: ${r.failures.map((f) => `${f.model} (${f.error})`).join('; ')}` : ''}`,
    );
    const incr = await step('incrementality', () => runIncrementality(wh, { model }), (r) =>
      `${r.rows.filter((x) => x.incremental !== null).length} of ${r.rows.length} estimates (run ${r.run_id})`,
    );
    await step('experiments', () => readoutExperiments(wh, {}), (r) => `${r.length} experiment readouts`);
    await step('customers', () => newCustomers(wh, { by: 'source' }), (r) =>
      `${r.total} new customers: ${r.partner_total} from partners, ${r.direct_total} direct`,
    );
    await step('engagement', () => runEngagement(wh, { model }), (r) =>
      `${r.units} engagement units credited, ${r.alerts} alerts (run ${r.run_id})`,
    );
    const period = lastFullQuarter(AS_OF);
    await step('payouts', () => createPayoutStatement(wh, { period }), (r) =>
      `${period}: ${r.partners.length} partner statements, total ${r.total} ${r.base_currency}`,
    );
    await step('forecast', () => createForecast(wh, { asOf: AS_OF.slice(0, 10) }), (r) =>
      `${r.rows.length} forecast rows for ${r.quarters.join(', ')}`,
    );
    await step('data quality', () => runChecks(wh, { actor: 'demo' }), (r) =>
      `${r.counts.pass} pass, ${r.counts.warn} warn, ${r.counts.fail} fail`,
    );

    const topPartners =
      (await step('report', () => getAttributionReport(wh, { model, by: 'partner' }), (r) => `${r.length} partners`)) ?? [];
    topPartners.sort((a, b) => Number(b.attributed_revenue) - Number(a.attributed_revenue));

    const admin = await createUser(wh, { name: 'Demo admin', role: 'admin' });
    const adminToken = await createToken(wh, { userId: admin.userId, label: 'demo' });
    const tokens: DemoResult['tokens'] = { admin: adminToken.token };
    const top = topPartners[0];
    if (top) {
      const name = top.name ?? top.key;
      const pu = await createUser(wh, { name: `${name} (portal)`, role: 'partner', partnerId: top.key });
      const pt = await createToken(wh, { userId: pu.userId, label: 'demo portal' });
      tokens.partner = { partnerId: top.key, name, token: pt.token };
    }
    return {
      dbPath,
      dataDir,
      stages,
      model,
      topPartners: topPartners.slice(0, 10),
      incrementality: incr?.rows ?? [],
      tokens,
      ingest,
      runs: attribution?.runs ?? [],
    };
  } finally {
    await wh.close();
  }
}

/** The last calendar quarter that ended on or before `asOf`, as `YYYY-Qn`. */
export function lastFullQuarter(asOf: string): string {
  const d = new Date(asOf);
  const q = Math.floor(d.getUTCMonth() / 3); // the quarter asOf lies in (0-based)
  const endOfQuarter = new Date(Date.UTC(d.getUTCFullYear(), q * 3 + 3, 0));
  const complete = d.getUTCDate() === endOfQuarter.getUTCDate() && d.getUTCMonth() === endOfQuarter.getUTCMonth();
  let year = d.getUTCFullYear();
  let quarter = complete ? q + 1 : q;
  if (quarter === 0) {
    year -= 1;
    quarter = 4;
  }
  return `${year}-Q${quarter}`;
}

/** Reads the generator's truth file (for the summary's planted-vs-found lines). */
export function readTruth(dataDir: string): unknown {
  return JSON.parse(readFileSync(join(dataDir, 'truth.json'), 'utf8'));
}
