/**
 * `jointly experiment plan|readout`: design a holdout (accounts per arm) and read one out
 * (lift with confidence intervals, p-values, sample-ratio check, incremental totals).
 */
import type { Command } from 'commander';
import { planExperiment, readoutExperiments } from '../../incrementality/index.js';
import { JointlyError } from '../../core/errors.js';
import { OPPORTUNITY_TYPES, Warehouse } from '../../warehouse/index.js';
import { parseNumberOption, printJson, printTable, withDb } from '../output.js';

export const order = 40;

interface PlanFlags {
  baselineRate?: string;
  mde: string;
  power?: string;
  alpha?: string;
  mean?: string;
  sd?: string;
  meanMde?: string;
  relative?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const exp = program.command('experiment').description('Holdout experiments: plan the size, read out the lift.');

  exp
    .command('plan')
    .description('Accounts needed per arm to detect a given effect (two-sided test).')
    .option('--baseline-rate <rate>', 'control conversion rate, e.g. 0.1')
    .requiredOption('--mde <effect>', 'minimum detectable effect (absolute; relative with --relative)')
    .option('--power <p>', 'statistical power', '0.8')
    .option('--alpha <a>', 'significance level (two-sided)', '0.05')
    .option('--mean <x>', 'control mean of a money outcome per account')
    .option('--sd <s>', 'standard deviation of that outcome')
    .option('--mean-mde <amount>', 'detectable change of the money outcome when both outcomes are planned')
    .option('--relative', 'read --mde as a fraction of the baseline (0.1 = +10 %)')
    .option('--json', 'machine-readable output')
    .action((flags: PlanFlags) => {
      const plan = planExperiment({
        baselineRate: parseNumberOption('baseline-rate', flags.baselineRate),
        mde: parseNumberOption('mde', flags.mde) ?? 0,
        power: parseNumberOption('power', flags.power),
        alpha: parseNumberOption('alpha', flags.alpha),
        mean: parseNumberOption('mean', flags.mean),
        sd: parseNumberOption('sd', flags.sd),
        meanMde: parseNumberOption('mean-mde', flags.meanMde),
        relative: flags.relative ?? false,
      });
      if (flags.json) {
        printJson(plan);
        return;
      }
      const rows = [
        ...(plan.proportion
          ? [{ outcome: `rate ${plan.proportion.baseline_rate} -> ${plan.proportion.treatment_rate.toPrecision(4)}`, n: plan.proportion.n_per_arm, total: plan.proportion.total, method: plan.proportion.method }]
          : []),
        ...(plan.mean
          ? [{ outcome: `mean ${plan.mean.mean} ± ${plan.mean.mde} (sd ${plan.mean.sd})`, n: plan.mean.n_per_arm, total: plan.mean.total, method: plan.mean.method }]
          : []),
      ];
      printTable(rows, [
        { header: 'outcome', value: (r) => r.outcome },
        { header: 'accounts per arm', value: (r) => r.n, align: 'right' },
        { header: 'total', value: (r) => r.total, align: 'right' },
        { header: 'method', value: (r) => r.method },
      ]);
      const p = plan.proportion ?? plan.mean;
      if (p) process.stdout.write(`power ${p.power}, alpha ${p.alpha} (two-sided)\n`);
    });

  withDb(
    exp
      .command('readout')
      .description('Lift per experiment and metric with 95 % intervals, p-values and a sample-ratio check.')
      .argument('[experiment_id]', 'one experiment (default: all)')
      .option('--window-days <n>', 'outcome window after assignment, in days', '180')
      .option('--types <list>', 'opportunity types counted, comma-separated (default: all)')
      .option('--json', 'machine-readable output'),
  ).action(async (experimentId: string | undefined, flags: { windowDays: string; types?: string; json?: boolean; db: string }) => {
    const wh = await Warehouse.open(flags.db, { readOnly: true });
    try {
      const readouts = await readoutExperiments(wh, {
        experimentId,
        windowDays: parseNumberOption('window-days', flags.windowDays),
        opportunityTypes: flags.types === undefined ? undefined : parseTypes(flags.types),
      });
      if (flags.json) {
        printJson(readouts.flatMap((r) => r.metrics.map((m) => ({ ...m, srm_p_value: r.srm.p_value, srm_mismatch: r.srm.mismatch }))));
        return;
      }
      for (const r of readouts) {
        process.stdout.write(
          `\n${r.experiment_id}  partner ${r.partner_id ?? '-'}  program ${r.program ?? '-'}  ` +
            `control ${r.n_control} / treatment ${r.n_treatment} accounts, window ${r.window_days} days\n`,
        );
        if (r.srm.mismatch) {
          process.stdout.write(`WARNING sample-ratio mismatch (chi-square p = ${r.srm.p_value.toExponential(2)}): the assignment looks broken; do not trust this readout.\n`);
        }
        printTable(r.metrics, [
          { header: 'metric', value: (m) => m.metric },
          { header: 'control', value: (m) => m.control, align: 'right' },
          { header: 'treatment', value: (m) => m.treatment, align: 'right' },
          { header: 'lift', value: (m) => m.lift_abs ?? m.note, align: 'right' },
          { header: 'lift %', value: (m) => (m.lift_rel === null ? null : `${(100 * m.lift_rel).toFixed(1)}%`), align: 'right' },
          { header: '95% CI', value: (m) => (m.ci_low === null || m.ci_high === null ? null : `[${fmt(m.ci_low)}, ${fmt(m.ci_high)}]`), align: 'right' },
          { header: 'p', value: (m) => (m.p_value === null ? null : m.p_value.toPrecision(3)), align: 'right' },
          { header: 'incremental total', value: (m) => (m.incremental_total === null ? null : fmt(m.incremental_total)), align: 'right' },
        ]);
      }
      process.stdout.write("\nRates: two-proportion z-test; money per account: Welch's t-test. Incremental total = lift × treated accounts.\n");
    } finally {
      await wh.close();
    }
  });
}

function parseTypes(list: string): ('new_business' | 'expansion' | 'renewal')[] {
  return list.split(',').map((t) => {
    const v = t.trim();
    const found = OPPORTUNITY_TYPES.find((x) => x === v);
    if (!found) throw new JointlyError('BAD_ARGUMENT', `--types expects ${OPPORTUNITY_TYPES.join(', ')}, got "${v}".`);
    return found;
  });
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}
