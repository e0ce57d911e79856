/**
 * `npm run bench`: runs every bench/*.bench.ts module (compiled to dist/bench) in one process,
 * one after another, and records each result in bench/results/<name>.json.
 *
 *   npm run bench                      all benchmarks at their default scale
 *   npm run bench -- ingest attribution   only those
 *
 * Each module exports `run(opts)`; opts carries the shared large data set folder and a scratch
 * warehouse path. Benchmarks are measurements, not tests: they print figures against the bars of
 * the issues and never fail the build.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

export interface BenchOptions {
  /** Folder for generated benchmark data (git-ignored). */
  dataDir: string;
  /** Scratch DuckDB file for this benchmark. */
  dbPath: string;
  resultsDir: string;
  scale: 'small' | 'medium' | 'large';
}

type BenchModule = { run?: (opts: BenchOptions) => Promise<Record<string, unknown>> };

const here = fileURLToPath(new URL('./', import.meta.url));
const root = resolve(here, '..', '..');
const resultsDir = join(root, 'bench', 'results');
const dataRoot = join(root, 'bench', 'data');
mkdirSync(resultsDir, { recursive: true });
mkdirSync(dataRoot, { recursive: true });

const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const scaleArg = process.argv.find((a) => a.startsWith('--scale='))?.split('=')[1];
const scale = scaleArg === 'small' || scaleArg === 'medium' ? scaleArg : 'large';

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .sort();
for (const file of files) {
  const name = file.replace(/\.bench\.js$/, '');
  if (only.length && !only.includes(name)) continue;
  const mod = (await import(new URL(`./${file}`, import.meta.url).href)) as BenchModule;
  if (typeof mod.run !== 'function') continue;
  process.stdout.write(`\n== ${name} (${scale}) ==\n`);
  const started = Date.now();
  const result = await mod.run({
    dataDir: join(dataRoot, scale),
    dbPath: join(dataRoot, `${name}-${scale}.duckdb`),
    resultsDir,
    scale,
  });
  const record = { benchmark: name, scale, finished_at: new Date().toISOString(), seconds: (Date.now() - started) / 1000, ...result };
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(record, null, 2) + '\n');
  process.stdout.write(JSON.stringify(record, null, 2) + '\n');
}
