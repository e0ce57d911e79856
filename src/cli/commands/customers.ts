/**
 * `jointly retention`, `jointly customers`, `jointly cohorts`: retention curves, new customers
 * with one acquisition source each, and cohorts with lifetime value.
 */
import type { Command } from 'commander';
import { JointlyError } from '../../core/errors.js';
import { fitRetentionFile, newCustomers, NEW_CUSTOMER_GROUPINGS, type NewCustomerGrouping } from '../../customers/index.js';
import { Warehouse } from '../../warehouse/index.js';
import { parseNumberOption, printJson, printTable, withDb } from '../output.js';

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

  withDb(
    program
      .command('customers')
      .description('New customers in a period, each with exactly one acquisition source (partner or direct).')
      .option('--by <grouping>', `group by ${NEW_CUSTOMER_GROUPINGS.join(' | ')}`, 'source')
      .option('--from <date>', 'first close date of the period (YYYY-MM-DD)')
      .option('--to <date>', 'last close date of the period (YYYY-MM-DD)')
      .option('--config <dir>', 'folder holding customers.yaml')
      .option('--json', 'machine-readable output'),
  ).action(async (flags: { by: string; from?: string; to?: string; config?: string; json?: boolean; db: string }) => {
    const by = parseGrouping(flags.by);
    const wh = await Warehouse.open(flags.db, { readOnly: true });
    try {
      const r = await newCustomers(wh, { by, from: flags.from, to: flags.to, configDir: flags.config });
      if (flags.json) {
        printJson(r);
        return;
      }
      process.stdout.write(
        `${r.total} new customers ${r.from ?? 'from the start'} to ${r.to ?? 'now'}: ${r.partner_total} partner, ${r.direct_total} direct` +
          ` (attribution run ${r.attribution_run_id ?? 'none'}${r.attribution_model ? `, ${r.attribution_model}` : ''})\n`,
      );
      if (r.note) process.stdout.write(`note: ${r.note}\n`);
      printTable(r.groups, [
        { header: by, value: (g) => g.key },
        { header: 'kind', value: (g) => g.source_kind },
        { header: 'customers', value: (g) => g.customers, align: 'right' },
        { header: 'share', value: (g) => (r.total ? `${((100 * g.customers) / r.total).toFixed(1)}%` : '-'), align: 'right' },
        { header: 'first deals (base)', value: (g) => g.first_deal_amount, align: 'right' },
        { header: 'rules', value: (g) => Object.entries(g.by_rule).map(([k, v]) => `${k} ${v}`).join(', ') },
      ]);
    } finally {
      await wh.close();
    }
  });
}

function parseGrouping(v: string): NewCustomerGrouping {
  const found = NEW_CUSTOMER_GROUPINGS.find((g) => g === v);
  if (!found) throw new JointlyError('BAD_ARGUMENT', `--by expects one of ${NEW_CUSTOMER_GROUPINGS.join(', ')}, got "${v}".`);
  return found;
}
