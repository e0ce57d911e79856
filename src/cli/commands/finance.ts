/**
 * Finance commands: `jointly payouts` (statements, CSV for the payments system), `jointly mdf`,
 * `jointly sensitivity` (tornado and model spread) and `jointly forecast`. Amounts are in the
 * base currency as exact decimals.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { JointlyError, formatMoney, toMinor } from '../../core/index.js';
import {
  createForecast, createPayoutStatement, getMdfSummary, payoutStatementCsv, runSensitivity,
} from '../../finance/index.js';
import { Warehouse } from '../../warehouse/index.js';
import { parseNumberOption, printJson, printTable, withDb } from '../output.js';

export const order = 50;

const money = (s: string | null | undefined): string => (s === null || s === undefined ? '-' : formatMoney(toMinor(s)));

interface PayoutFlags { period: string; partner?: string; json?: boolean; csv?: string; config?: string; db: string }
interface MdfFlags { period?: string; partner?: string; json?: boolean; config?: string; db: string }
interface SensitivityFlags { model: string; vary: string[]; period?: string; spread: boolean; json?: boolean; config?: string; db: string }
interface ForecastFlags { quarters: string; asOf?: string; json?: boolean; config?: string; db: string }

export function register(program: Command): void {
  withDb(
    program
      .command('payouts')
      .description('payout statements per partner for a period (stored as a payouts run)')
      .requiredOption('--period <period>', 'e.g. 2026-Q3, 2026-07, 2026 or 2026-07-01..2026-09-30')
      .option('--partner <id>', 'only this partner')
      .option('--csv <file>', 'also write the statement lines as CSV for the payments system')
      .option('--config <dir>', 'folder with payouts.yaml')
      .option('--json', 'machine-readable output'),
  ).action(async (flags: PayoutFlags) => {
    const wh = await Warehouse.open(flags.db);
    try {
      const st = await createPayoutStatement(wh, { period: flags.period, partnerId: flags.partner, configDir: flags.config });
      if (flags.csv) writeFileSync(flags.csv, payoutStatementCsv(st));
      if (flags.json) {
        printJson(st);
        return;
      }
      const r = st.reconciliation;
      process.stdout.write(
        `payouts run ${st.run_id} for ${st.period.label} (${st.period.start}..${st.period.end}), ${st.base_currency}; attribution runs: ` +
          `${Object.entries(st.attribution_runs).map(([m, id]) => `${m} ${id}`).join(', ') || 'none'}\n` +
          `revenue recognised ${money(r.revenue_recognised)} = partners ${money(r.partner_credited)} + below threshold ${money(r.below_threshold)} + ` +
          `internal ${money(r.internal)} + unlinked ${money(r.unlinked)}\n\n`,
      );
      for (const p of st.partners) {
        process.stdout.write(`${p.partner_id} ${p.name ?? ''} — plan ${p.plan}: accruals ${money(p.accruals)}, reversals ${money(p.reversals)}, ` +
          `bounties ${money(p.bounties)}, MDF ${money(p.mdf)}, total ${money(p.total)}\n`);
        printTable(p.lines, [
          { header: '#', value: (l) => l.line_no, align: 'right' },
          { header: 'kind', value: (l) => l.line_kind },
          { header: 'deal', value: (l) => l.opportunity_id },
          { header: 'revenue line', value: (l) => l.revenue_id },
          { header: 'revenue', value: (l) => money(l.revenue), align: 'right' },
          { header: 'share', value: (l) => l.credit_share, align: 'right' },
          { header: 'credited', value: (l) => money(l.credited_revenue), align: 'right' },
          { header: 'amount', value: (l) => money(l.amount), align: 'right' },
          { header: 'rule', value: (l) => l.rule },
        ]);
        process.stdout.write('\n');
      }
      process.stdout.write(`total ${money(st.total)} ${st.base_currency}${flags.csv ? `; CSV written to ${flags.csv}` : ''}\n`);
    } finally {
      await wh.close();
    }
  });

  withDb(
    program
      .command('mdf')
      .description('market development funds: budgets, claims and what is payable')
      .option('--period <period>', 'only budgets and claims in this period')
      .option('--partner <id>', 'only this partner')
      .option('--config <dir>', 'folder with payouts.yaml')
      .option('--json', 'machine-readable output'),
  ).action(async (flags: MdfFlags) => {
    const wh = await Warehouse.open(flags.db, { readOnly: true });
    try {
      const s = await getMdfSummary(wh, { period: flags.period, partnerId: flags.partner, configDir: flags.config });
      if (flags.json) {
        printJson(s);
        return;
      }
      printTable(s.budgets, [
        { header: 'partner', value: (b) => b.partner_id },
        { header: 'period', value: (b) => b.period },
        { header: 'budget', value: (b) => money(b.budget), align: 'right' },
        { header: 'claimed', value: (b) => money(b.claimed), align: 'right' },
        { header: 'payable', value: (b) => money(b.payable), align: 'right' },
        { header: 'remaining', value: (b) => money(b.remaining), align: 'right' },
      ]);
      process.stdout.write('\n');
      printTable(s.claims, [
        { header: 'claim', value: (c) => c.claim_id },
        { header: 'partner', value: (c) => c.partner_id },
        { header: 'activity', value: (c) => c.activity_id },
        { header: 'submitted', value: (c) => c.submitted_at },
        { header: 'status', value: (c) => c.status },
        { header: 'claimed', value: (c) => money(c.claimed), align: 'right' },
        { header: 'payable', value: (c) => money(c.payable), align: 'right' },
        { header: 'rule', value: (c) => c.rule },
      ]);
    } finally {
      await wh.close();
    }
  });

  withDb(
    program
      .command('sensitivity')
      .description('how partners\' attributed revenue and payouts move with attribution parameters (tornado) and across models')
      .requiredOption('--model <name>', 'attribution model under study')
      .option('--vary <param=range>', 'PARAM=LOW..HIGH or PARAM=V1,V2 (e.g. half_life_days=3..30, window_days=90,180,365, first=0.3..0.5); repeatable',
        (v: string, acc: string[]) => [...acc, v], [])
      .option('--period <period>', 'period for payouts and revenue (default: quarter of the latest won deal)')
      .option('--no-spread', 'skip the comparison across models')
      .option('--config <dir>', 'folder with attribution.yaml and payouts.yaml')
      .option('--json', 'machine-readable output'),
  ).action(async (flags: SensitivityFlags) => {
    const wh = await Warehouse.open(flags.db);
    try {
      const s = await runSensitivity(wh, { model: flags.model, vary: flags.vary, period: flags.period, configDir: flags.config, spread: flags.spread });
      if (flags.json) {
        printJson(s);
        return;
      }
      process.stdout.write(`sensitivity of ${s.model} for ${s.period.label} (base run ${s.base_run_id}); payouts as if attributed plans read ${s.model}\n`);
      for (const p of s.params) {
        process.stdout.write(`\n${p.param}: base ${p.base}, values ${p.values.join(', ')} (runs ${p.run_ids.join(', ')})\n`);
        printTable(s.tornado.filter((r) => r.param === p.param), [
          { header: 'partner', value: (r) => r.partner_id },
          { header: 'revenue low', value: (r) => `${money(r.revenue_low)} @${r.value_at_low}`, align: 'right' },
          { header: 'base', value: (r) => money(r.revenue_base), align: 'right' },
          { header: 'revenue high', value: (r) => `${money(r.revenue_high)} @${r.value_at_high}`, align: 'right' },
          { header: 'swing', value: (r) => money(r.revenue_swing), align: 'right' },
          { header: 'payout low', value: (r) => money(r.payout_low), align: 'right' },
          { header: 'payout base', value: (r) => money(r.payout_base), align: 'right' },
          { header: 'payout high', value: (r) => money(r.payout_high), align: 'right' },
        ]);
      }
      if (s.spread.length > 0) {
        process.stdout.write(`\nspread across models (latest run of each${s.models_without_run.length ? `; no run: ${s.models_without_run.join(', ')}` : ''})\n`);
        printTable(s.spread, [
          { header: 'partner', value: (r) => r.partner_id },
          { header: 'revenue min', value: (r) => money(r.revenue_min), align: 'right' },
          { header: 'revenue max', value: (r) => money(r.revenue_max), align: 'right' },
          { header: 'payout min', value: (r) => money(r.payout_min), align: 'right' },
          { header: 'payout max', value: (r) => money(r.payout_max), align: 'right' },
        ]);
      }
    } finally {
      await wh.close();
    }
  });

  withDb(
    program
      .command('forecast')
      .description('expected revenue and payout per partner from open pipeline, by quarter (stage win rates from history)')
      .option('--quarters <n>', 'quarters ahead, starting with the current one', '4')
      .option('--as-of <date>', 'forecast date (default today, UTC)')
      .option('--config <dir>', 'folder with payouts.yaml')
      .option('--json', 'machine-readable output'),
  ).action(async (flags: ForecastFlags) => {
    const quarters = parseNumberOption('quarters', flags.quarters);
    if (quarters === undefined) throw new JointlyError('BAD_ARGUMENT', '--quarters expects a number.');
    const wh = await Warehouse.open(flags.db);
    try {
      const f = await createForecast(wh, { quarters, asOf: flags.asOf, configDir: flags.config });
      if (flags.json) {
        printJson(f);
        return;
      }
      process.stdout.write(`forecast run ${f.run_id} as of ${f.as_of}: ${f.quarters.join(', ')}; overall win rate ${(f.overall_win_rate * 100).toFixed(1)}%\n`);
      printTable(f.stages, [
        { header: 'stage', value: (s) => s.stage },
        { header: 'closed', value: (s) => s.closed, align: 'right' },
        { header: 'won', value: (s) => s.won, align: 'right' },
        { header: 'win rate', value: (s) => `${(s.probability * 100).toFixed(1)}% [${(s.low * 100).toFixed(1)}, ${(s.high * 100).toFixed(1)}]`, align: 'right' },
      ]);
      process.stdout.write('\n');
      printTable(f.rows, [
        { header: 'quarter', value: (r) => r.quarter },
        { header: 'partner', value: (r) => r.partner_id },
        { header: 'deals', value: (r) => r.opportunities, align: 'right' },
        { header: 'pipeline', value: (r) => money(r.pipeline), align: 'right' },
        { header: 'expected revenue [range]', value: (r) => `${money(r.expected_revenue)} [${money(r.expected_revenue_low)}, ${money(r.expected_revenue_high)}]`, align: 'right' },
        { header: 'incremental', value: (r) => money(r.incremental_revenue), align: 'right' },
        { header: 'expected payout [range]', value: (r) => `${money(r.expected_payout)} [${money(r.expected_payout_low)}, ${money(r.expected_payout_high)}]`, align: 'right' },
      ]);
    } finally {
      await wh.close();
    }
  });
}
