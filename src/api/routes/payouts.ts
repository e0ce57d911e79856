/**
 * Payout statements (src/finance): what each partner is owed for a period, line by line. A
 * partner token gets its own statement only, without the company-wide reconciliation.
 */
import { z } from 'zod';
import { getPayoutStatement } from '../../finance/index.js';
import { defineRoute, money } from '../route.js';
import { reportParams } from './common.js';

const lineSchema = z.object({
  line_no: z.number().int(),
  partner_id: z.string(),
  plan: z.string(),
  line_kind: z.string(),
  opportunity_id: z.string().nullable(),
  revenue_id: z.string().nullable(),
  revenue_kind: z.string().nullable(),
  accrue_on: z.string().nullable(),
  basis: z.string().nullable(),
  revenue: money,
  credit_share: z.string().nullable(),
  credited_revenue: money,
  amount: money,
  original_currency: z.string().nullable(),
  rule: z.string(),
});

const statementSchema = z.object({
  partner_id: z.string(),
  name: z.string().nullable(),
  plan: z.string(),
  credited_revenue: money,
  accruals: money,
  reversals: money,
  bounties: money,
  mdf: money,
  total: money,
  lines: z.array(lineSchema),
});

// GET /api/v1/payouts: the payout statement of a period (latest run), per partner with its lines.
export const payouts = defineRoute({
  method: 'GET',
  path: '/api/v1/payouts',
  summary: 'Payout statement of a period: what each partner is owed, line by line',
  tags: ['payouts'],
  action: 'read:payouts',
  params: z.object({}),
  query: z.object({
    period: z
      .string()
      .regex(/^\d{4}(-Q[1-4]|-\d{2})?$/, 'expected a period such as 2026-Q3, 2026-07 or 2026')
      .optional()
      .describe('Period (default: the latest statement).'),
    partnerId: reportParams.partnerId,
  }),
  response: z.object({
    run_id: z.number().int(),
    period: z.object({ label: z.string(), start: z.string(), end: z.string() }),
    base_currency: z.string(),
    total: money,
    reconciliation: z.record(z.string(), z.string()).nullable().describe('Company-wide; null for partner tokens.'),
    partners: z.array(statementSchema),
  }),
  handler: async ({ wh, query, principal, scope }) => {
    const partnerId = scope(query.partnerId);
    const st = await getPayoutStatement(wh, { period: query.period, partnerId });
    return {
      run_id: st.run_id,
      period: st.period,
      base_currency: st.base_currency,
      total: st.total,
      reconciliation: principal.role === 'partner' ? null : { ...st.reconciliation },
      partners: st.partners,
    };
  },
  csvRows: (body) => body.partners.flatMap((p) => p.lines.map((l) => ({ partner_name: p.name, ...l }))),
});

export const routes = [payouts];
