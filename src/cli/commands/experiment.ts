/**
 * `jointly experiment plan|readout`: design a holdout (accounts per arm) and read one out
 * (lift with confidence intervals, p-values, sample-ratio check, incremental totals).
 */
import type { Command } from 'commander';
import { planExperiment } from '../../incrementality/index.js';
import { parseNumberOption, printJson, printTable } from '../output.js';

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
}
