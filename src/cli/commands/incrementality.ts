/**
 * `jointly incrementality`: estimates incremental revenue per partner or program where there is
 * no holdout (propensity-matched difference-in-differences), stores the run, prints the table.
 */
import type { Command } from 'commander';
import { JointlyError } from '../../core/errors.js';
import { INCREMENTALITY_UNITS, getIncrementalityResults, runIncrementality, type IncrementalityUnit } from '../../incrementality/index.js';
import { Warehouse } from '../../warehouse/index.js';
import { parseNumberOption, printJson, printTable, withDb } from '../output.js';

export const order = 41;

interface Flags {
  by: string;
  model?: string;
  seed: string;
  bootstrap: string;
  json?: boolean;
  stored?: boolean;
  db: string;
}

export function register(program: Command): void {
  withDb(
    program
      .command('incrementality')
      .description('Incremental revenue per partner or program from matched comparisons (no holdout needed).')
      .option('--by <unit>', `${INCREMENTALITY_UNITS.join(' | ')}`, 'partner')
      .option('--model <name>', 'attribution model for the attributed amounts (default: latest run of any model)')
      .option('--seed <n>', 'seed of the bootstrap and control sampling', '1')
      .option('--bootstrap <n>', 'bootstrap resamples', '1000')
      .option('--stored', 'print the latest stored run instead of estimating again (read-only)')
      .option('--json', 'machine-readable output'),
  ).action(async (flags: Flags) => {
    const by = INCREMENTALITY_UNITS.find((u): u is IncrementalityUnit => u === flags.by);
    if (!by) throw new JointlyError('BAD_ARGUMENT', `--by expects ${INCREMENTALITY_UNITS.join(' or ')}, got "${flags.by}".`);
    const wh = await Warehouse.open(flags.db, { readOnly: flags.stored ?? false });
    try {
      const run = flags.stored
        ? { ...(await getIncrementalityResults(wh, { by })), attribution_run_id: null, attribution_model: null, seconds: 0 }
        : await runIncrementality(wh, {
            by,
            model: flags.model,
            seed: parseNumberOption('seed', flags.seed),
            bootstrapIterations: parseNumberOption('bootstrap', flags.bootstrap),
          });
      const rows = run.rows.filter((r) => r.metric === 'revenue');
      if (flags.json) {
        printJson(
          rows.map((r) => ({
            [by]: r.unit_id,
            attributed_revenue: r.attributed,
            incremental_revenue: r.incremental,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            method: r.method,
            matched_accounts: r.matched_accounts,
            engaged_accounts: r.engaged_accounts,
            incrementality_factor: r.incrementality_factor,
            note: r.note,
            run_id: run.run_id,
            attribution_run_id: run.attribution_run_id,
          })),
        );
        return;
      }
      process.stdout.write(
        flags.stored
          ? `stored incrementality run ${run.run_id} by ${by}\n`
          : `incrementality run ${run.run_id} by ${by}; attributed revenue from ${run.attribution_model ? `${run.attribution_model} (run ${run.attribution_run_id})` : 'no attribution run'}; ${run.seconds.toFixed(1)} s\n`,
      );
      printTable(rows, [
        { header: by, value: (r) => r.unit_id },
        { header: 'attributed', value: (r) => r.attributed, align: 'right' },
        { header: 'incremental', value: (r) => r.incremental ?? r.note, align: 'right' },
        { header: '95% CI', value: (r) => (r.ci_low === null ? null : `[${r.ci_low}, ${r.ci_high}]`), align: 'right' },
        { header: 'factor', value: (r) => (r.incrementality_factor === null ? null : r.incrementality_factor.toFixed(2)), align: 'right' },
        { header: 'matched', value: (r) => `${r.matched_accounts}/${r.engaged_accounts}`, align: 'right' },
      ]);
      process.stdout.write(`method: ${rows[0]?.method ?? '-'}\nfactor = incremental ÷ attributed; amounts in the base currency.\n`);
    } finally {
      await wh.close();
    }
  });
}
