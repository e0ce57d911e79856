/**
 * `jointly retention`, `jointly customers`, `jointly cohorts`: retention curves, new customers
 * with one acquisition source each, and cohorts with lifetime value.
 */
import type { Command } from 'commander';
import { JointlyError } from '../../core/errors.js';
import {
  cohortReport,
  COHORT_SEGMENTS,
  fitRetentionFile,
  newCustomers,
  NEW_CUSTOMER_GROUPINGS,
  type CohortSegment,
  type NewCustomerGrouping,
} from '../../customers/index.js';
import { Warehouse } from '../../warehouse/index.js';
import { parseNumberOption, printJson, printTable, withDb } from '../output.js';

export const order = 45;

export function register(program: Command): void {
  registerCohorts(program);
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

function pct(x: number | null): string | null {
  return x === null ? null : `${(100 * x).toFixed(1)}%`;
}

function parseGrouping(v: string): NewCustomerGrouping {
  const found = NEW_CUSTOMER_GROUPINGS.find((g) => g === v);
  if (!found) throw new JointlyError('BAD_ARGUMENT', `--by expects one of ${NEW_CUSTOMER_GROUPINGS.join(', ')}, got "${v}".`);
  return found;
}

function registerCohorts(program: Command): void {
  withDb(
    program
      .command('cohorts')
      .description('Cohorts of new customers: retention, revenue retention, time to first value, and LTV per segment.')
      .option('--by <segment>', `segment by ${COHORT_SEGMENTS.join(' | ')}`, 'source_kind')
      .option('--grain <grain>', 'cohort grain: month | quarter (default from customers.yaml)')
      .option('--config <dir>', 'folder holding customers.yaml')
      .option('--json', 'machine-readable output'),
  ).action(async (flags: { by: string; grain?: string; config?: string; json?: boolean; db: string }) => {
    const by = COHORT_SEGMENTS.find((s): s is CohortSegment => s === flags.by);
    if (!by) throw new JointlyError('BAD_ARGUMENT', `--by expects one of ${COHORT_SEGMENTS.join(', ')}, got "${flags.by}".`);
    if (flags.grain !== undefined && flags.grain !== 'month' && flags.grain !== 'quarter') {
      throw new JointlyError('BAD_ARGUMENT', `--grain expects month or quarter, got "${flags.grain}".`);
    }
    const wh = await Warehouse.open(flags.db, { readOnly: true });
    try {
      const r = await cohortReport(wh, { by, grain: flags.grain, configDir: flags.config });
      if (flags.json) {
        printJson(r);
        return;
      }
      process.stdout.write(`cohorts by ${r.grain} and ${r.by}, data as of ${r.as_of ?? '-'} (12-month figures only for cohorts at least 15 months old)\n`);
      printTable(r.cohorts, [
        { header: 'cohort', value: (c) => c.cohort },
        { header: r.by, value: (c) => c.segment },
        { header: 'customers', value: (c) => c.customers, align: 'right' },
        { header: 'logo 12m', value: (c) => pct(c.logo_retention_12m), align: 'right' },
        { header: 'GRR 12m', value: (c) => pct(c.grr_12m), align: 'right' },
        { header: 'NRR 12m', value: (c) => pct(c.nrr_12m), align: 'right' },
        { header: 'expansion', value: (c) => pct(c.expansion_12m), align: 'right' },
        { header: 'contraction', value: (c) => pct(c.contraction_12m), align: 'right' },
        { header: 'churn', value: (c) => pct(c.churn_12m), align: 'right' },
        { header: 'days to value', value: (c) => c.median_days_to_first_value, align: 'right' },
        { header: 'referrals', value: (c) => c.referrals, align: 'right' },
      ]);
      process.stdout.write('\nlifetime value per segment\n');
      printTable(r.segments, [
        { header: r.by, value: (s) => s.segment },
        { header: 'customers', value: (s) => s.customers, align: 'right' },
        { header: 'lost / censored', value: (s) => `${s.churned} / ${s.censored}`, align: 'right' },
        { header: 'alpha', value: (s) => (s.alpha === null ? null : s.alpha.toPrecision(4)), align: 'right' },
        { header: 'beta', value: (s) => (s.beta === null ? null : s.beta.toPrecision(4)), align: 'right' },
        { header: 'DEL (years)', value: (s) => (s.discounted_expected_lifetime === null ? null : s.discounted_expected_lifetime.toFixed(2)), align: 'right' },
        { header: 'ARR', value: (s) => s.annual_recurring_revenue, align: 'right' },
        { header: 'LTV', value: (s) => s.ltv ?? s.note, align: 'right' },
      ]);
      process.stdout.write(`${r.segments[0]?.method ?? ''}\n`);
    } finally {
      await wh.close();
    }
  });
}
