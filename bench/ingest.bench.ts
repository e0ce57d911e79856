/**
 * Ingest at the large demo scale (≈10M touchpoints, 1M opportunities) against the bar of issue 2:
 * the full ingest (validation, identity, PII HMAC, fx, dedup, quarantine, history, counts check,
 * one transaction) within 2x a bare `create table … as select * from read_csv(…)` of the same
 * files measured in the same run, and peak RSS under 2 GB.
 *
 * Each phase runs in its own child process so that its peak RSS (process.resourceUsage().maxRSS)
 * is its own: `bare` (plain reader CTAS of every file), `ingest` (ingestPaths on a new warehouse)
 * and `reload` (the same files again into that warehouse: all duplicates). DuckDB gets the same
 * settings in every phase (memory_limit, threads). The data come from the demo generator
 * (`generateDemoData({ seed: 7, scale, outDir })`), made once into the data folder if missing.
 *
 *   npm run bench -- ingest                      (through the bench runner, large scale)
 *   npx tsx bench/ingest.bench.ts [dataDir [scale]]   (standalone; scale defaults from the folder name)
 *
 * bench/results/ingest.json keeps one section per scale (`medium`, `large`, …): a run replaces
 * only its own section. Each section records the command, the commit and the load average
 * (1-minute, before and after): on a shared 2-core machine the wall times depend on it.
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverFiles, ingestPaths, PII_KEY_ENV } from '../src/ingest/index.js';
import { Warehouse } from '../src/warehouse/index.js';

const SETTINGS = { memory_limit: '1500MB', threads: '2' };
const PHASES = ['bare', 'ingest', 'reload'] as const;
type Phase = (typeof PHASES)[number];

interface PhaseResult {
  phase: Phase;
  seconds: number;
  /** User + system CPU of the process: less sensitive than wall time to other load on the machine. */
  cpu_seconds: number;
  rows: number;
  peak_rss_mb: number;
  files?: unknown[];
  truth_check?: { planted: number; at_their_line: number; other_quarantined: number };
}

const seconds = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e9;
const rssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
const cpuSeconds = (): number => {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
};

function readerFor(path: string, format: string): string {
  const p = `'${path.replace(/'/g, "''")}'`;
  if (format === 'parquet') return `read_parquet(${p})`;
  if (format === 'ndjson') return `read_json_auto(${p}, format = 'newline_delimited')`;
  return `read_csv(${p})`;
}

async function phase(which: Phase, dataDir: string, dbPath: string): Promise<PhaseResult> {
  process.env[PII_KEY_ENV] ??= 'bench-pii-key-not-a-secret';
  const wh = await Warehouse.open(dbPath, { settings: SETTINGS });
  try {
    const t0 = process.hrtime.bigint();
    const c0 = cpuSeconds();
    if (which === 'bare') {
      let rows = 0;
      for (const f of discoverFiles([dataDir])) {
        await wh.run(`create or replace table main.bare_${f.table} as select * from ${readerFor(f.path, f.format)}`);
        const r = await wh.get<{ n: number }>(`select count(*)::integer as n from main.bare_${f.table}`, 'none');
        rows += r.n;
      }
      return { phase: which, seconds: seconds(t0), cpu_seconds: cpuSeconds() - c0, rows, peak_rss_mb: rssMb() };
    }
    const result = await ingestPaths(wh, [dataDir]);
    const s = seconds(t0);
    const cpu = cpuSeconds() - c0;
    const peak = rssMb();
    const rows = result.files.reduce((a, f) => a + f.rows_in, 0);
    const truth_check = which === 'ingest' ? await checkAgainstTruth(wh, dataDir, result.batch_id) : undefined;
    return { phase: which, seconds: s, cpu_seconds: cpu, rows, peak_rss_mb: peak, files: result.files, ...(truth_check ? { truth_check } : {}) };
  } finally {
    await wh.close();
  }
}

/**
 * At scale, checks that the quarantine holds every planted bad row of truth.json at its file and
 * line (so row order and line numbers hold with the parallel CSV reader) and nothing else.
 * Runs after the timing and the RSS reading. Done in SQL: truth.json is large.
 */
async function checkAgainstTruth(wh: Warehouse, dataDir: string, batchId: number): Promise<PhaseResult['truth_check']> {
  const truth = join(dataDir, 'truth.json').replace(/'/g, "''");
  if (!existsSync(join(dataDir, 'truth.json'))) return undefined;
  const row = await wh.get<{ planted: number; at_their_line: number; other_quarantined: number }>(
    `with planted as (
       select d.file, d.line::bigint as line
       from (select unnest(dirty_rows) as d from read_json('${truth}', maximum_object_size = ${statSync(join(dataDir, 'truth.json')).size + 1024}))
       where d.kind <> 'duplicate'
     ),
     q as (select regexp_extract(file, '[^/]+$') as file, line from meta.quarantine where batch_id = ${batchId})
     select (select count(*) from planted)::integer as planted,
            (select count(*) from planted p semi join q on q.file = p.file and q.line = p.line)::integer as at_their_line,
            (select count(*) from q anti join planted p on q.file = p.file and q.line = p.line)::integer as other_quarantined`,
    'no truth check',
  );
  return row;
}

function runChild(which: Phase, dataDir: string, dbPath: string): Promise<PhaseResult> {
  return new Promise((resolvePromise, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--phase', which, dataDir, dbPath], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: PhaseResult | undefined;
    child.on('message', (m) => {
      result = m as PhaseResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolvePromise(result) : reject(new Error(`${which} phase failed (exit ${code})`))));
  });
}

async function ensureData(dataDir: string, scale: string): Promise<void> {
  if (existsSync(join(dataDir, 'truth.json'))) return;
  process.stdout.write(`generating the ${scale} demo data into ${dataDir} …\n`);
  // Imported lazily: only needed when the data are missing.
  const gen = (await import('../src/generate/index.js')) as { generateDemoData: (o: { seed: number; scale: string; outDir: string }) => Promise<unknown> };
  await gen.generateDemoData({ seed: 7, scale, outDir: dataDir });
}

/** Runs the three phases and returns the figures (also written to bench/results/ingest.json). */
export async function run(opts: { dataDir: string; dbPath?: string; resultsDir?: string; scale?: string; command?: string }): Promise<Record<string, unknown>> {
  const scale = opts.scale ?? (/small|medium/.exec(opts.dataDir)?.[0] ?? 'large');
  const loadBefore = round(loadavg()[0] ?? 0);
  await ensureData(opts.dataDir, scale);
  const scratch = mkdtempSync(join(opts.dbPath ? resolve(opts.dbPath, '..') : tmpdir(), 'ingest-bench-'));
  try {
    const bare = await runChild('bare', opts.dataDir, join(scratch, 'bare.duckdb'));
    const ingest = await runChild('ingest', opts.dataDir, join(scratch, 'ingest.duckdb'));
    const reload = await runChild('reload', opts.dataDir, join(scratch, 'ingest.duckdb'));
    const ratio = ingest.seconds / bare.seconds;
    const cpuRatio = ingest.cpu_seconds / bare.cpu_seconds;
    const record = {
      scale,
      settings: SETTINGS,
      rows: ingest.rows,
      bare_seconds: round(bare.seconds),
      ingest_seconds: round(ingest.seconds),
      reload_seconds: round(reload.seconds),
      ratio: round(ratio),
      ratio_bar: 2,
      bare_cpu_seconds: round(bare.cpu_seconds),
      ingest_cpu_seconds: round(ingest.cpu_seconds),
      cpu_ratio: round(cpuRatio),
      truth_check: ingest.truth_check,
      rows_per_second: Math.round(ingest.rows / ingest.seconds),
      peak_rss_mb: { bare: bare.peak_rss_mb, ingest: ingest.peak_rss_mb, reload: reload.peak_rss_mb },
      rss_bar_mb: 2048,
      meets_bars: ratio <= 2 && Math.max(ingest.peak_rss_mb, reload.peak_rss_mb) < 2048,
      files: ingest.files,
      reload_files: reload.files,
    };
    const resultsDir = opts.resultsDir ?? resolve(fileURLToPath(new URL('.', import.meta.url)), 'results');
    mkdirSync(resultsDir, { recursive: true });
    const resultsFile = join(resultsDir, 'ingest.json');
    const sections: Record<string, unknown> = {};
    if (existsSync(resultsFile)) {
      const prev = JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, unknown>;
      for (const k of ['small', 'medium', 'large']) if (prev[k]) sections[k] = prev[k];
      // The earlier single-record layout: keep it as the section of its scale.
      if (typeof prev['scale'] === 'string' && !sections[prev['scale']]) sections[prev['scale']] = prev;
    }
    sections[scale] = {
      ...record,
      data: opts.dataDir,
      command: opts.command ?? `npx tsx bench/ingest.bench.ts ${opts.dataDir} ${scale}`,
      commit: gitCommit(),
      load_average_1m: { before: loadBefore, after: round(loadavg()[0] ?? 0) },
      finished_at: new Date().toISOString(),
    };
    writeFileSync(resultsFile, JSON.stringify(sections, null, 2) + '\n');
    process.stdout.write(
      `ingest ${record.rows} rows: bare ${record.bare_seconds} s, ingest ${record.ingest_seconds} s (ratio ${record.ratio}, bar 2; CPU ratio ${record.cpu_ratio}), ` +
        `reload ${record.reload_seconds} s, ${record.rows_per_second} rows/s, peak RSS ${JSON.stringify(record.peak_rss_mb)} MB\n`,
    );
    return sections;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

// Child mode: one phase, result back over IPC.
const argv = process.argv.slice(2);
if (argv[0] === '--phase' && process.send) {
  const [, which, dataDir, dbPath] = argv;
  if (!PHASES.includes(which as Phase) || !dataDir || !dbPath) throw new Error(`bad phase arguments: ${argv.join(' ')}`);
  const result = await phase(which as Phase, dataDir, dbPath);
  process.send(result, () => process.exit(0));
} else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run({
    dataDir: resolve(argv[0] ?? 'bench/data/large'),
    ...(argv[1] ? { scale: argv[1] } : {}),
    command: `npx tsx bench/ingest.bench.ts ${argv.join(' ')}`.trim(),
  });
}
