/**
 * Deals (opportunities) behind the numbers: the query is src/reports `listDeals`; this route
 * validates, scopes to the caller's partner and pages.
 */
import { z } from 'zod';
import { listDeals } from '../../reports/index.js';
import { defineRoute, money, page, pageParams } from '../route.js';
import { checkPeriod, reportParams, resolveModelName } from './common.js';

export const dealSchema = z.object({
  opportunity_id: z.string(),
  name: z.string().nullable(),
  account_name: z.string().nullable(),
  created_date: z.string(),
  close_date: z.string().nullable(),
  stage: z.string(),
  is_won: z.boolean(),
  amount: money,
  partner_credit: money.describe('Pipeline credit of the partner (or of all partners) under the model.'),
  is_sourced: z.boolean(),
});

// GET /api/v1/deals: the deals behind a partner's (or all partners') numbers, paginated.
export const deals = defineRoute({
  method: 'GET',
  path: '/api/v1/deals',
  summary: 'Deals a partner sourced or influenced, with its credit under a model',
  tags: ['attribution'],
  action: 'read:credits',
  params: z.object({}),
  query: z.object({ ...reportParams, ...pageParams }),
  response: page(dealSchema),
  handler: async ({ wh, query, scope }) => {
    checkPeriod(query);
    const partnerId = scope(query.partnerId);
    const { model, runId } = await resolveModelName(wh, query.model);
    const p = await listDeals(wh, { model, runId, partnerId, from: query.from, to: query.to, limit: query.limit, offset: query.offset });
    return { items: p.items, total: p.total, limit: p.limit, offset: p.offset };
  },
});

export const routes = [deals];
