/**
 * `jointly engagement`, `jointly alerts` and `jointly predict engagement|renewal`: engagement
 * quality scores, unusual engagement and predictive signals (src/engagement).
 */
import type { Command } from 'commander';
import { JointlyError } from '../../core/errors.js';
import {
  ENGAGEMENT_BY, getAlerts, getEngagement, getEngagementPipeline, predictEngagement, predictRenewal, runEngagement,
  type EngagementBy, type Evaluation,
} from '../../engagement/index.js';
import { Warehouse } from '../../warehouse/index.js';
import { printJson, printTable, withDb } from '../output.js';

export const order = 45;

const pct = (v: number | null): string | null => (v === null ? null : (v * 100).toFixed(0) + '%');

export function register(program: Command): void {
  withDb(
    program
      .command('engagement')
      .description('Engagement quality scores (0-100) and engagement credited to partners and activities.')
      .option('--by <grain>', ENGAGEMENT_BY.join(' | '), 'partner')
      .option('--model <name>', 'attribution model for engagement credit (default: engagement.yaml attribution.default_model)')
      .option('--partner <id>', 'only what this partner may see')
      .option('--config <dir>', 'configuration folder')
      .option('--stored', 'print the latest stored run instead of computing a new one (read-only)')
      .option('--pipeline', 'also print engagement quality against the next-90-day pipeline and win rate')
      .option('--json', 'machine-readable output'),
  ).action(async (flags: { by: string; model?: string; partner?: string; config?: string; stored?: boolean; pipeline?: boolean; json?: boolean; db: string }) => {
    const by = ENGAGEMENT_BY.find((b): b is EngagementBy => b === flags.by);
    if (!by) throw new JointlyError('BAD_ARGUMENT', `--by expects ${ENGAGEMENT_BY.join(', ')}, got "${flags.by}".`);
    const wh = await Warehouse.open(flags.db, { readOnly: flags.stored ?? false });
    try {
      const summary = flags.stored ? undefined : await runEngagement(wh, { model: flags.model, configDir: flags.config });
      const result = await getEngagement(wh, { by, partnerId: flags.partner, runId: summary?.run_id, model: flags.stored ? flags.model : undefined });
      const pipeline = flags.pipeline ? await getEngagementPipeline(wh, { runId: result.run.run_id, partnerId: flags.partner }) : undefined;
      if (flags.json) {
        printJson({ run_id: result.run.run_id, model: result.run.model, by, rows: result.rows, ...(pipeline ? { pipeline: pipeline.rows } : {}) });
        return;
      }
      process.stdout.write(
        `engagement run ${result.run.run_id} (credit by ${result.run.model})` +
          (summary ? `: ${summary.units} engagement units, ${summary.alerts} alert(s), data to ${summary.data_end}, ${summary.seconds.toFixed(1)} s` : '') +
          '\n',
      );
      printTable(result.rows, [
        { header: by, value: (r) => r.key },
        { header: 'score', value: (r) => (r.score === null ? null : r.score.toFixed(1)), align: 'right' },
        { header: 'content', value: (r) => pct(r.content_depth), align: 'right' },
        { header: 'attendance', value: (r) => pct(r.attendance), align: 'right' },
        { header: 'co-created', value: (r) => pct(r.co_creation), align: 'right' },
        { header: 'onboarding', value: (r) => pct(r.onboarding), align: 'right' },
        { header: 'adoption', value: (r) => pct(r.adoption), align: 'right' },
        { header: 'recurring', value: (r) => pct(r.recurring_usage), align: 'right' },
        { header: 'touches', value: (r) => r.engagement_touches.toFixed(1), align: 'right' },
        { header: 'accounts', value: (r) => r.accounts, align: 'right' },
        { header: 'customers', value: (r) => r.customers, align: 'right' },
        { header: 'credited units', value: (r) => r.credited_units.toFixed(1), align: 'right' },
        { header: 'usage months', value: (r) => r.credited_usage_months.toFixed(1), align: 'right' },
      ]);
      process.stdout.write('score 0-100 from the components shown (weights in engagement.yaml); - = does not apply.\n');
      if (pipeline) {
        process.stdout.write('\nengagement quality vs next-90-day pipeline (Q1 = lowest quality; exposure = touches without a quality signal)\n');
        printTable(pipeline.rows, [
          { header: 'dimension', value: (r) => r.dimension },
          { header: 'key', value: (r) => r.key },
          { header: 'bucket', value: (r) => r.bucket },
          { header: 'account-quarters', value: (r) => r.account_periods, align: 'right' },
          { header: 'mean score', value: (r) => (r.mean_score === null ? null : r.mean_score.toFixed(1)), align: 'right' },
          { header: 'opps', value: (r) => r.opportunities, align: 'right' },
          { header: 'pipeline', value: (r) => r.pipeline, align: 'right' },
          { header: 'won/closed', value: (r) => `${r.wins}/${r.closed}`, align: 'right' },
          { header: 'win rate', value: (r) => pct(r.win_rate), align: 'right' },
        ]);
      }
    } finally {
      await wh.close();
    }
  });

  withDb(
    program
      .command('alerts')
      .description('Unusual engagement per partner and activity type: drops and spikes against its own history.')
      .option('--partner <id>', 'only this partner')
      .option('--refresh', 'compute a new engagement run first (default: the latest run, or a new one if none)')
      .option('--json', 'machine-readable output'),
  ).action(async (flags: { partner?: string; refresh?: boolean; json?: boolean; db: string }) => {
    const wh = await Warehouse.open(flags.db);
    try {
      const hasRun = await wh.all<{ n: number }>(`select count(*)::INTEGER as n from meta.runs where kind = 'engagement' and status = 'succeeded'`);
      if (flags.refresh || (hasRun[0]?.n ?? 0) === 0) await runEngagement(wh);
      const { run, alerts, tested } = await getAlerts(wh, { partnerId: flags.partner });
      if (flags.json) {
        printJson({ run_id: run.run_id, tested, alerts });
        return;
      }
      const scope = tested ? ` (${tested.partner_month_tests} partner-months tested, false discovery rate ${tested.fdr})` : '';
      process.stdout.write(`${alerts.length} engagement alert(s) from run ${run.run_id}${scope}\n`);
      printTable(alerts, [
        { header: 'partner', value: (a) => a.partner_id },
        { header: 'activity type', value: (a) => a.activity_type ?? '(all)' },
        { header: 'month', value: (a) => a.month },
        { header: 'alert', value: (a) => a.direction },
        { header: 'touches', value: (a) => a.value, align: 'right' },
        { header: 'expected', value: (a) => `${a.expected.toFixed(1)} [${a.expected_low.toFixed(1)}, ${a.expected_high.toFixed(1)}]`, align: 'right' },
        { header: 'z', value: (a) => a.z.toFixed(1), align: 'right' },
        { header: 'accounts', value: (a) => (a.direction === 'drop' ? `${a.missing_accounts.length} missing: ${a.missing_accounts.slice(0, 3).join(', ')}` : `${a.accounts.length}: ${a.accounts.slice(0, 3).join(', ')}`) },
      ]);
    } finally {
      await wh.close();
    }
  });

  const predict = program.command('predict').description('Predictive signals: propensity to engage, likelihood of renewal.');
  for (const target of ['engagement', 'renewal'] as const) {
    withDb(
      predict
        .command(target)
        .description(
          target === 'engagement'
            ? 'Probability that each account engages in the next 30 days, with held-out AUC and calibration.'
            : 'Likelihood of renewal per customer with an open renewal, with held-out AUC and calibration.',
        )
        .option('--partner <id>', 'only accounts this partner touched (engagement) or brought (renewal)')
        .option('--config <dir>', 'configuration folder')
        .option('--limit <n>', 'rows to print (table output)', '20')
        .option('--json', 'machine-readable output'),
    ).action(async (flags: { partner?: string; config?: string; limit: string; json?: boolean; db: string }) => {
      const wh = await Warehouse.open(flags.db, { readOnly: true });
      try {
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 0) throw new JointlyError('BAD_ARGUMENT', `--limit expects a whole number, got "${flags.limit}".`);
        if (target === 'engagement') {
          const p = await predictEngagement(wh, { partnerId: flags.partner, configDir: flags.config });
          if (flags.json) {
            printJson(p);
            return;
          }
          printEvaluation(p.evaluation, `propensity to engage in the next ${p.horizon_days} days, as of ${p.as_of}`);
          printTable(p.partners.slice(0, limit), [
            { header: 'partner', value: (r) => r.partner_id },
            { header: 'accounts touched (1 y)', value: (r) => r.accounts, align: 'right' },
            { header: 'expected engaging', value: (r) => r.expected_engaging_accounts.toFixed(1), align: 'right' },
            { header: 'mean p', value: (r) => pct(r.mean_probability), align: 'right' },
          ]);
          process.stdout.write('\n');
          printTable(p.accounts.slice(0, limit), [
            { header: 'account', value: (r) => r.account_id },
            { header: 'p(engage)', value: (r) => pct(r.probability), align: 'right' },
            { header: 'partners', value: (r) => r.partners.join(', ') },
          ]);
        } else {
          const p = await predictRenewal(wh, { partnerId: flags.partner, configDir: flags.config });
          if (flags.json) {
            printJson(p);
            return;
          }
          printEvaluation(p.evaluation, `likelihood of renewal, as of ${p.as_of} (least likely first)`);
          printTable(p.customers.slice(0, limit), [
            { header: 'account', value: (r) => r.account_id },
            { header: 'renewal', value: (r) => r.opportunity_id },
            { header: 'close date', value: (r) => r.close_date },
            { header: 'p(renew)', value: (r) => pct(r.probability), align: 'right' },
            { header: 'partners', value: (r) => r.partners.join(', ') },
          ]);
        }
      } finally {
        await wh.close();
      }
    });
  }
}

function printEvaluation(e: Evaluation, title: string): void {
  process.stdout.write(
    `${title}\n${e.method}; trained on ${e.train_rows} rows (${e.train_positives} yes), held out ${e.test_rows} later rows ` +
      `(${e.test_positives} yes): AUC ${e.auc.toFixed(3)}\n`,
  );
  printTable(e.calibration, [
    { header: 'calibration bin', value: (b) => b.bin },
    { header: 'n', value: (b) => b.n, align: 'right' },
    { header: 'mean predicted', value: (b) => pct(b.mean_predicted), align: 'right' },
    { header: 'observed', value: (b) => pct(b.observed_rate), align: 'right' },
  ]);
  process.stdout.write('\n');
}
