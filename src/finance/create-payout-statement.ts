/**
 * `createPayoutStatement`: computes a period's payouts (compute-payouts.ts) and stores them as a
 * run — meta.runs kind 'payouts' plus model.payout_lines — in one transaction, then returns the
 * statement as read back from the warehouse (getPayoutStatement), so what is printed is what is
 * stored.
 */
import { configHash, messageOf } from '../core/index.js';
import { sql, type Warehouse } from '../warehouse/index.js';
import { computePayouts } from './compute-payouts.js';
import { getPayoutStatement, type PayoutStatement } from './get-payout-statement.js';
import { loadPayoutConfig, type PayoutConfig } from './payout-config.js';
import { parsePeriod } from './period.js';

export interface CreateStatementOptions {
  /** '2026-Q3', '2026-07', '2026' or 'YYYY-MM-DD..YYYY-MM-DD'. */
  period: string;
  /** Only this partner in the returned statement (every partner is computed and stored). */
  partnerId?: string | undefined;
  /** Folder holding payouts.yaml (`--config`). */
  configDir?: string | undefined;
  /** An already loaded configuration (tests, sensitivity). */
  config?: PayoutConfig | undefined;
  /** Attribution run per model instead of the latest (sensitivity). */
  runOverrides?: Readonly<Record<string, number>> | undefined;
}

/**
 * Computes and stores the statements of every partner for the period.
 *
 * @example
 * const st = await createPayoutStatement(wh, { period: '2026-Q3' });
 * st.partners[0]?.total // '1234.56' (base currency)
 */
export async function createPayoutStatement(wh: Warehouse, opts: CreateStatementOptions): Promise<PayoutStatement> {
  const period = parsePeriod(opts.period);
  const config = opts.config ?? loadPayoutConfig(opts.configDir);
  if (opts.partnerId !== undefined) {
    await wh.get(sql`select partner_id from core.partners where partner_id = ${opts.partnerId}`, `No partner "${opts.partnerId}" in the warehouse.`);
  }
  const idRow = await wh.get<{ id: number }>(`select nextval('meta.run_seq')::INTEGER as id`, 'No run id.');
  const runId = Number(idRow.id);
  const started = Date.now();
  const params = { period, partner_id: opts.partnerId ?? null, config_file: config.file, run_overrides: opts.runOverrides ?? {} };
  await wh.run(sql`insert into meta.runs (run_id, kind, model, params, config_hash, batch_ids, started_at, status)
    select ${runId}, 'payouts', ${period.label}, ${JSON.stringify(params)}::JSON, ${configHash(config.raw)},
      (select coalesce(list(distinct batch_id order by batch_id), []) from (
        select batch_id from core.revenue union all select batch_id from core.opportunities union all select batch_id from core.partners
      ) where batch_id is not null),
      now(), 'running'`);
  try {
    await wh.transaction(async (tx) => {
      const computed = await computePayouts(tx, { period, config, runOverrides: opts.runOverrides });
      await tx.run(sql`insert into model.payout_lines
        select ${runId}, ${period.label}, line_no, partner_id, plan, line_kind, opportunity_id, revenue_id, revenue_kind, accrue_on, basis,
          revenue, credit_share, credited_revenue, amount, original_currency, rule
        from fin_out`);
      const totals = await tx.get<{ lines: number; total: string }>(sql`
        select count(*)::INTEGER as lines, coalesce(sum(amount), 0)::DECIMAL(18,2)::VARCHAR as total from model.payout_lines where run_id = ${runId}`, 'No totals.');
      await tx.run(sql`update meta.runs set status = 'succeeded', finished_at = now(), duration_ms = ${Date.now() - started}::INTEGER,
          summary = ${JSON.stringify({ ...totals, base_currency: config.base_currency, attribution_runs: computed.attribution_runs, reconciliation: computed.reconciliation })}::JSON
        where run_id = ${runId}`);
    });
  } catch (error) {
    await wh.run(sql`update meta.runs set status = 'failed', finished_at = now(), duration_ms = ${Date.now() - started}::INTEGER,
        summary = ${JSON.stringify({ error: messageOf(error) })}::JSON
      where run_id = ${runId}`);
    throw error;
  }
  return getPayoutStatement(wh, { runId, partnerId: opts.partnerId });
}
