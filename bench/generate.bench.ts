/**
 * Demo-data generator speed: seconds, rows/s, output size and peak RSS for one scale
 * (`npm run bench -- generate --scale=large`). Writes into a scratch folder under bench/data
 * that it removes afterwards (the ingest benchmark makes its own data set).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { resourceUsage } from 'node:process';
import { generateDemoData } from '../src/generate/index.js';
import type { BenchOptions } from './run.js';

export async function run(opts: BenchOptions): Promise<Record<string, unknown>> {
  const outDir = join(opts.dataDir, '..', `generate-bench-${opts.scale}`);
  rmSync(outDir, { recursive: true, force: true });
  const summary = await generateDemoData({ seed: 11, scale: opts.scale, outDir });
  const rows = summary.files.reduce((a, f) => a + f.rows, 0);
  const bytes = summary.files.reduce((a, f) => a + f.bytes, 0);
  const touchpoints = summary.files.find((f) => f.table === 'touchpoints')?.rows ?? 0;
  const opportunities = summary.files.find((f) => f.table === 'opportunities')?.rows ?? 0;
  rmSync(outDir, { recursive: true, force: true });
  return {
    generate_seconds: summary.seconds,
    rows,
    touchpoints,
    opportunities,
    rows_per_second: Math.round(rows / summary.seconds),
    megabytes_written: Math.round(bytes / 1e6),
    peak_rss_mb: Math.round(resourceUsage().maxRSS / 1024),
  };
}
