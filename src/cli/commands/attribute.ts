/**
 * `jointly attribute`: run an attribution model (or all) and store credits as a run.
 * `jointly report partners`: partner metrics of the latest run of a model, by any dimension.
 * `jointly explain OPPORTUNITY_ID`: the path, weights, rules and a readable narrative.
 * `jointly compare --models a,b,c`: attributed pipeline and revenue side by side.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { JointlyError } from '../../core/errors.js';
import { runAllModels, runAttribution } from '../../attribution/index.js';
import { compareModels, explainOpportunity, getAttributionReport, REPORT_DIMENSIONS } from '../../reports/index.js';
import { Warehouse } from '../../warehouse/index.js';
import { parseNumberOption, printJson, printTable, withDb } from '../output.js';

export const order = 30;

/** DuckDB stays under this much memory (spilling to disk beyond) unless JOINTLY_MEMORY_LIMIT says otherwise. */
const MEMORY_LIMIT = process.env['JOINTLY_MEMORY_LIMIT'] ?? '3GB';

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date like 2025-01-31');

function parseDate(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const r = DATE.safeParse(v);
  if (!r.success) throw new JointlyError('BAD_ARGUMENT', `--${name} expects a date like 2025-01-31, got "${v}".`);
  return r.data;
}

async function withWarehouse<T>(db: string, readOnly: boolean, fn: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await Warehouse.open(db, { readOnly, settings: { memory_limit: MEMORY_LIMIT } });
  try {
    return await fn(wh);
  } finally {
    await wh.close();
  }
}

const pctOrDash = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

export function register(program: Command): void {
  withDb(
    program
      .command('attribute')
      .description('Run an attribution model over the warehouse and store its credits as a run.')
      .requiredOption('--model <name>', 'a model from attribution.yaml, or "all"')
      .option('--window-days <n>', 'lookback window in days for every touch (overrides the configuration)')
      .option('--config <dir>', 'folder holding attribution.yaml')
      .option('--json', 'machine-readable output'),
  ).action(async (f: { db: string; model: string; windowDays?: string; config?: string; json?: boolean }) => {
    const windowDays = parseNumberOption('window-days', f.windowDays);
    await withWarehouse(f.db, false, async (wh) => {
      if (f.model === 'all') {
        const { runs, failures } = await runAllModels(wh, { windowDays, configDir: f.config });
        if (f.json) printJson(runs);
        else printTable(runs, [
          { header: 'run', value: (r) => r.run_id, align: 'right' },
          { header: 'model', value: (r) => r.model },
          { header: 'opportunities', value: (r) => r.opportunities, align: 'right' },
          { header: 'pipeline', value: (r) => r.credited_pipeline_total, align: 'right' },
          { header: 'revenue', value: (r) => r.credited_revenue_total, align: 'right' },
        ]);
        if (failures.length) {
          throw new JointlyError('INTERNAL', `Models failed: ${failures.map((x) => `${x.model} (${x.error})`).join('; ')}`);
        }
        return;
      }
      const s = await runAttribution(wh, { model: f.model, windowDays, configDir: f.config });
      if (f.json) {
        printJson({
          run_id: s.run_id, model: s.model, opportunities: s.opportunities, pipeline_total: s.pipeline_total,
          revenue_total: s.revenue_total, credited_pipeline_total: s.credited_pipeline_total, credited_revenue_total: s.credited_revenue_total,
        });
      } else {
        process.stdout.write(
          `run ${s.run_id} (${s.model}): ${s.opportunities} opportunities, pipeline ${s.credited_pipeline_total} of ${s.pipeline_total}, ` +
            `revenue ${s.credited_revenue_total} of ${s.revenue_total} credited\n`,
        );
      }
    });
  });

  const report = program.command('report').description('Reports over attribution runs.');
  withDb(
    report
      .command('partners')
      .description('Partner metrics of the latest run of a model: sourced, influenced, attributed, win rates, cycle.')
      .requiredOption('--model <name>', 'attribution model')
      .option('--from <date>', 'first day (YYYY-MM-DD)')
      .option('--to <date>', 'last day (YYYY-MM-DD)')
      .option('--by <dim>', REPORT_DIMENSIONS.join('|'), 'partner')
      .option('--partner <id>', 'only this partner (portal scope)')
      .option('--json', 'machine-readable output'),
  ).action(async (f: { db: string; model: string; from?: string; to?: string; by: string; partner?: string; json?: boolean }) => {
    const by = z.enum(REPORT_DIMENSIONS).safeParse(f.by);
    if (!by.success) throw new JointlyError('BAD_ARGUMENT', `--by expects one of ${REPORT_DIMENSIONS.join(', ')}, got "${f.by}".`);
    const rows = await withWarehouse(f.db, true, (wh) =>
      getAttributionReport(wh, { model: f.model, by: by.data, from: parseDate('from', f.from), to: parseDate('to', f.to), partnerId: f.partner }),
    );
    const keyName = by.data === 'partner' ? 'partner_id' : by.data;
    const out = rows.map((r) => ({
      [keyName]: r.key, name: r.name, sourced_pipeline: r.sourced_pipeline, influenced_pipeline: r.influenced_pipeline,
      attributed_pipeline: r.attributed_pipeline, attributed_revenue: r.attributed_revenue,
      win_rate_with_partner: r.win_rate_with_partner, win_rate_without_partner: r.win_rate_without_partner,
      median_days_to_close: r.median_days_to_close,
      ...(by.data === 'partner' ? {} : { sourced_revenue: r.sourced_revenue, influenced_revenue: r.influenced_revenue }),
    }));
    if (f.json) {
      printJson(out);
      return;
    }
    printTable(rows, [
      { header: keyName, value: (r) => r.key },
      { header: 'name', value: (r) => r.name },
      { header: 'sourced', value: (r) => r.sourced_pipeline, align: 'right' },
      { header: 'influenced', value: (r) => r.influenced_pipeline, align: 'right' },
      { header: 'attr. pipeline', value: (r) => r.attributed_pipeline, align: 'right' },
      { header: 'attr. revenue', value: (r) => r.attributed_revenue, align: 'right' },
      { header: 'win w/ partner', value: (r) => `${pctOrDash(r.win_rate_with_partner)} (${r.won_with_partner}/${r.closed_with_partner})`, align: 'right' },
      { header: 'win w/o', value: (r) => `${pctOrDash(r.win_rate_without_partner)} (${r.won_without_partner}/${r.closed_without_partner})`, align: 'right' },
      { header: 'median days', value: (r) => r.median_days_to_close, align: 'right' },
      { header: 'velocity/day', value: (r) => r.pipeline_velocity, align: 'right' },
      { header: 'cost/attr. $', value: (r) => r.cost_per_attributed_dollar, align: 'right' },
    ]);
  });

  withDb(
    program
      .command('explain')
      .description('Explain the credit of one opportunity under a model: path, weights, rules, narrative.')
      .argument('<opportunity_id>', 'the opportunity')
      .requiredOption('--model <name>', 'attribution model')
      .option('--json', 'machine-readable output'),
  ).action(async (id: string, f: { db: string; model: string; json?: boolean }) => {
    // Explain re-derives the path in connection-local temp tables, which a read-only file allows.
    const e = await withWarehouse(f.db, true, (wh) => explainOpportunity(wh, { opportunityId: id, model: f.model }));
    if (f.json) {
      printJson(e);
      return;
    }
    const o = e.opportunity;
    process.stdout.write(`${o.opportunity_id}${o.name ? ` ${o.name}` : ''}: amount ${o.amount}, created ${o.created_at.slice(0, 10)}, ` +
      `${o.is_won ? `won ${o.close_date ?? ''}` : o.close_date ? `closed ${o.close_date}` : 'open'} — model ${e.model} (run ${e.run_id})\n`);
    for (const p of e.purposes) {
      process.stdout.write(`\n${p.purpose} credit of ${p.base_amount}:\n`);
      printTable(p.touches, [
        { header: '#', value: (t) => t.position, align: 'right' },
        { header: 'when', value: (t) => t.occurred_at?.slice(0, 16) ?? null },
        { header: 'channel', value: (t) => t.channel },
        { header: 'touch', value: (t) => t.touch_type },
        { header: 'partner', value: (t) => t.partner_name },
        { header: 'activity', value: (t) => t.activity_name },
        { header: 'weight', value: (t) => `${(t.weight * 100).toFixed(1)}%`, align: 'right' },
        { header: 'credit', value: (t) => t.credit, align: 'right' },
        { header: 'rule', value: (t) => t.rule },
      ]);
    }
    process.stdout.write(`\n${e.narrative.join('\n')}\n`);
  });

  withDb(
    program
      .command('compare')
      .description('Attributed pipeline and revenue of several models side by side.')
      .requiredOption('--models <list>', 'comma-separated model names, e.g. first_touch,linear,w_shaped')
      .option('--by <dim>', REPORT_DIMENSIONS.join('|'), 'partner')
      .option('--json', 'machine-readable output'),
  ).action(async (f: { db: string; models: string; by: string; json?: boolean }) => {
    const models = f.models.split(',').map((m) => m.trim()).filter(Boolean);
    if (models.length === 0) throw new JointlyError('BAD_ARGUMENT', '--models expects a comma-separated list of model names.');
    const by = z.enum(REPORT_DIMENSIONS).safeParse(f.by);
    if (!by.success) throw new JointlyError('BAD_ARGUMENT', `--by expects one of ${REPORT_DIMENSIONS.join(', ')}, got "${f.by}".`);
    const c = await withWarehouse(f.db, true, (wh) => compareModels(wh, { models, by: by.data }));
    if (f.json) {
      printJson(c);
      return;
    }
    printTable(c.rows, [
      { header: by.data, value: (r) => r.key },
      { header: 'name', value: (r) => r.name },
      ...models.map((m) => ({ header: `${m} pipeline`, value: (r: (typeof c.rows)[number]) => r.values[m]?.attributed_pipeline, align: 'right' as const })),
      ...models.map((m) => ({ header: `${m} revenue`, value: (r: (typeof c.rows)[number]) => r.values[m]?.attributed_revenue, align: 'right' as const })),
    ]);
  });
}
