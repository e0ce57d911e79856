/**
 * `jointly retention`, `jointly customers`, `jointly cohorts`: retention curves, new customers
 * with one acquisition source each, and cohorts with lifetime value.
 */
import type { Command } from 'commander';
import { fitRetentionFile } from '../../customers/index.js';
import { parseNumberOption, printJson, printTable } from '../output.js';

export const order = 45;

export function register(program: Command): void {
  program
    .command('retention')
    .description('Fit the shifted-beta-geometric retention model to a survival table (CSV period,customers).')
    .requiredOption('--input <file>', 'CSV with columns period,customers; period 0 = the cohort start')
    .option('--periods <n>', 'project up to this period (default: max(12, observed))')
    .option('--json', 'machine-readable output')
    .action((flags: { input: string; periods?: string; json?: boolean }) => {
      const r = fitRetentionFile({ file: flags.input, periods: parseNumberOption('periods', flags.periods) });
      if (flags.json) {
        printJson({ alpha: r.alpha, beta: r.beta, log_likelihood: r.log_likelihood, projected: r.projected });
        return;
      }
      process.stdout.write(
        `sBG fit on ${r.fit.periods + 1} periods, cohort of ${r.fit.n}: alpha ${r.alpha.toFixed(4)}, beta ${r.beta.toFixed(4)}, ` +
          `log-likelihood ${r.log_likelihood.toFixed(2)} (${r.fit.method})\n`,
      );
      printTable(
        r.projected.map((c, period) => ({ period, c })),
        [
          { header: 'period', value: (x) => x.period, align: 'right' },
          { header: 'projected customers', value: (x) => x.c.toFixed(1), align: 'right' },
        ],
      );
    });
}
