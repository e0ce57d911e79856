/**
 * `jointly generate --seed N --scale ci|small|medium|large --out DIR [--dirty F] [--json]`:
 * writes the demo data set with planted truth (see src/generate/README.md).
 */
import type { Command } from 'commander';
import { JointlyError } from '../../core/errors.js';
import { generateDemoData, SCALES, type Scale } from '../../generate/index.js';
import { formatTable, parseNumberOption, printJson, showProgress } from '../output.js';

export const order = 10;

interface GenerateFlags {
  seed: string;
  scale: string;
  out: string;
  dirty?: string;
  json?: boolean;
}

function parseScale(value: string): Scale {
  const scale = SCALES.find((s) => s === value);
  if (!scale) throw new JointlyError('BAD_ARGUMENT', `--scale expects one of ${SCALES.join(', ')}, got "${value}".`);
  return scale;
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('Generate a realistic demo data set with planted ground truth (truth.json)')
    .option('--seed <n>', 'random seed (same seed, identical files)', '42')
    .option('--scale <scale>', `size: ${SCALES.join('|')}`, 'small')
    .option('--out <dir>', 'output folder', './demo-data')
    .option('--dirty <fraction>', 'share of bad rows planted per table', '0.005')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: GenerateFlags) => {
      const seed = parseNumberOption('seed', flags.seed) ?? 42;
      if (!Number.isInteger(seed)) throw new JointlyError('BAD_ARGUMENT', `--seed expects a whole number, got "${flags.seed}".`);
      const scale = parseScale(flags.scale);
      const dirtyFraction = parseNumberOption('dirty', flags.dirty);
      const progress = showProgress(flags.json);
      const summary = await generateDemoData({
        seed,
        scale,
        outDir: flags.out,
        ...(dirtyFraction === undefined ? {} : { dirtyFraction }),
        ...(progress
          ? {
              onProgress: (done: number, total: number) =>
                process.stderr.write(`\rgenerating accounts ${Math.round((100 * done) / total)}%`),
            }
          : {}),
      });
      if (progress) process.stderr.write('\r\x1b[K');
      if (flags.json) {
        printJson({
          out_dir: summary.outDir,
          seed: summary.seed,
          scale: summary.scale,
          seconds: summary.seconds,
          dirty_rows: summary.dirtyRows,
          truth_file: summary.truthFile,
          files: summary.files.map((f) => ({ file: f.file, table: f.table, format: f.format, rows: f.rows, dirty_rows: f.dirty_rows })),
        });
        return;
      }
      process.stdout.write(
        formatTable(summary.files, [
          { header: 'file', value: (f) => f.file },
          { header: 'rows', value: (f) => f.rows, align: 'right' },
          { header: 'dirty', value: (f) => f.dirty_rows, align: 'right' },
        ]) + '\n',
      );
      process.stdout.write(
        `Wrote ${summary.files.length} files and truth.json to ${summary.outDir} in ${summary.seconds.toFixed(1)} s ` +
          `(seed ${summary.seed}, scale ${summary.scale}, ${summary.dirtyRows} dirty rows planted).\n`,
      );
    });
}
