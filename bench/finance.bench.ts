/**
 * Finance benchmark: one quarter's payout statement over a synthetic warehouse built set-wise in
 * SQL (partners, won deals, a `linear`-kind attribution run's revenue credits with 1-3 partners and
 * an internal part per deal, four quarterly revenue lines per deal plus refunds and churn), then
 * the statement: split, tiers, caps, clawbacks, storage as a run. Figures: seconds, lines, peak RSS,
 * and whether the reconciliation and "lines add up to totals" hold at that size.
 *
 *   flock /tmp/jointly-bench.lock npx tsx bench/finance.bench.ts [deals]   (default 200000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Warehouse } from '../src/warehouse/index.js';
import { compilePayoutConfig, createPayoutStatement, PayoutConfigSchema } from '../src/finance/index.js';
import { writeCreditRows } from '../src/attribution/index.js';

const PLANS = {
  base_currency: 'USD',
  plans: {
    default: { basis: 'attributed', model: 'linear', accrue_on: 'recognition', rate: 0.05, min_credit_share: 0.1, max_deal_payout_rate: 0.2 },
    resellers: {
      applies_to: { partner_type: 'reseller' }, basis: 'attributed', model: 'linear', accrue_on: 'invoice',
      tiers: { mode: 'marginal', bands: [{ from: 0, rate: 0.1 }, { from: 1000000, rate: 0.15 }] },
      caps: { per_deal: 20000, per_period: 2000000 }, clawback: { kinds: ['refund', 'churn'], within_days: 365 },
    },
    referral: { applies_to: { partner_type: 'referral' }, basis: 'sourced', accrue_on: 'booking', rate: 0.08, bounty: { new_customer: 500 } },
  },
};

export async function run(opts: { dbPath?: string; deals?: number } = {}): Promise<Record<string, unknown>> {
  const deals = opts.deals ?? 200_000;
  const dir = mkdtempSync(join(tmpdir(), 'jointly-fin-bench-'));
  const db = opts.dbPath ?? join(dir, 'fin.duckdb');
  rmSync(db, { force: true });
  const wh = await Warehouse.open(db);
  const t0 = Date.now();
  try {
    await wh.run(`insert into core.partners (partner_id, name, partner_type, tier)
      select 'P' || i, 'Partner ' || i, case i % 4 when 0 then 'reseller' when 1 then 'referral' when 2 then 'technology' else 'agency' end,
        case when i % 10 = 0 then 'gold' else 'silver' end
      from range(200) t(i)`);
    await wh.run(`insert into core.opportunities (opportunity_id, account_id, type, created_at, close_date, stage, is_closed, is_won, amount, amount_base, currency, sourced_partner_id)
      select 'O' || i, 'A' || (i // 2), case when i % 2 = 0 then 'new_business' else 'expansion' end,
        TIMESTAMP '2025-01-01' + to_days((i % 500)::INTEGER), DATE '2025-06-01' + to_days((i % 400)::INTEGER), 'won', true, true,
        (1000 + (i * 7919) % 90000)::DECIMAL(18,2) + 0.37, (1000 + (i * 7919) % 90000)::DECIMAL(18,2) + 0.37,
        case i % 3 when 0 then 'EUR' when 1 then 'GBP' else 'USD' end, case when i % 5 = 1 then 'P' || ((i * 13) % 200 // 4 * 4 + 1) end
      from range(${deals}) t(i)`);
    await wh.run(`insert into meta.runs (run_id, kind, model, started_at, status) values (nextval('meta.run_seq'), 'attribution', 'linear', now(), 'succeeded')`);
    const runId = (await wh.get<{ id: number }>(`select max(run_id)::INTEGER as id from meta.runs`, 'no run')).id;
    // Credits: up to three partners per deal and an internal remainder, in cents adding up to the deal.
    await writeCreditRows(wh, `
      with o as (select opportunity_id, amount_base, row_number() over () as i from core.opportunities),
      parts as (
        select o.opportunity_id, o.amount_base, k, 'P' || ((o.i * 31 + k * 17) % 200) as partner_id,
          case k when 0 then 0.5 when 1 then 0.3 else 0.15 end as w
        from o, range(1 + (o.i % 3)::INTEGER) r(k)
      )
      select ${runId} as run_id, opportunity_id, 'revenue' as purpose, null::VARCHAR as touchpoint_id, partner_id, w as weight,
        0 as pipeline_credit, round(amount_base * w, 2) as revenue_credit, 'bench' as rule from parts
      union all
      select ${runId}, opportunity_id, 'revenue', null, null, 1 - sum(w), 0, amount_base - sum(round(amount_base * w, 2)), 'bench' from parts group by opportunity_id, amount_base`);
    await wh.run(`insert into core.revenue (revenue_id, account_id, opportunity_id, period_start, period_end, amount, amount_base, currency, kind)
      select o.opportunity_id || '-' || q, o.account_id, o.opportunity_id, o.close_date + to_days((1 + 91 * q)::INTEGER), o.close_date + to_days((91 * (q + 1))::INTEGER),
        round(o.amount_base / 4, 2), round(o.amount_base / 4, 2), o.currency, case when q = 0 then 'new' else 'renewal' end
      from core.opportunities o, range(4) r(q)
      union all
      select o.opportunity_id || '-x', o.account_id, o.opportunity_id, o.close_date + to_days(40), o.close_date + to_days(91),
        -round(o.amount_base / 8, 2), -round(o.amount_base / 8, 2), o.currency, case when i % 2 = 0 then 'refund' else 'churn' end
      from (select *, row_number() over () as i from core.opportunities) o where i % 50 = 0`);
    const setupS = (Date.now() - t0) / 1000;
    const config = compilePayoutConfig(PayoutConfigSchema.parse(PLANS), 'bench plans');
    const t1 = Date.now();
    const st = await createPayoutStatement(wh, { period: '2026-Q1', config });
    const statementS = (Date.now() - t1) / 1000;
    const lines = st.partners.reduce((a, p) => a + p.lines.length, 0);
    const linesAddUp = st.partners.every((p) => p.lines.reduce((a, l) => a + BigInt(l.amount.replace('.', '')), 0n) === BigInt(p.total.replace('.', '')));
    const counts = await wh.get<{ revenue_lines: number; credits: number }>(
      `select (select count(*) from core.revenue)::INTEGER as revenue_lines, (select count(*) from model.credits)::INTEGER as credits`, 'no counts');
    return {
      deals, ...counts, partners_paid: st.partners.length, statement_lines: lines, total: st.total,
      reconciliation: st.reconciliation, lines_add_up: linesAddUp, setup_s: setupS, statement_s: statementS,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await wh.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 200_000);
  const figures = await run({ deals: Number.isFinite(n) && n > 0 ? n : 200_000 });
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
}
