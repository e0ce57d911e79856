/**
 * Partners from `core.partners`. A partner token sees only its own partner; asking for
 * another one by id is FORBIDDEN (not a 404, so nothing leaks about which ids exist).
 */
import { z } from 'zod';
import { JointlyError } from '../../core/errors.js';
import { PARTNER_TYPES, sql, type Warehouse } from '../../warehouse/index.js';
import { defineRoute, page, pageParams } from '../route.js';

export const partnerSchema = z.object({
  partner_id: z.string(),
  name: z.string(),
  partner_type: z.enum(PARTNER_TYPES),
  tier: z.string().nullable(),
  region: z.string().nullable(),
  joined_at: z.string().nullable(),
});
export type PartnerRow = z.infer<typeof partnerSchema>;

interface PartnerFilter {
  partnerId: string | undefined;
  partnerType: string | undefined;
  search: string | undefined;
  limit: number;
  offset: number;
}

/** Lists partners with the total count, filtered and paginated in SQL. */
export async function listPartners(wh: Warehouse, f: PartnerFilter) {
  const rows = await wh.all<PartnerRow & { total: number }>(sql`
    select partner_id, name, partner_type, tier, region,
           strftime(joined_at, '%Y-%m-%dT%H:%M:%SZ') as joined_at,
           (count(*) over ())::integer as total
    from core.partners
    where (${f.partnerId ?? null}::varchar is null or partner_id = ${f.partnerId ?? null})
      and (${f.partnerType ?? null}::varchar is null or partner_type = ${f.partnerType ?? null})
      and (${f.search ?? null}::varchar is null or name ilike '%' || ${f.search ?? null} || '%')
    order by name, partner_id
    limit ${f.limit} offset ${f.offset}`);
  return rowsToPage(rows, f);
}

/** Splits the window-count column off a page of rows. */
export function rowsToPage<T extends { total: number }>(
  rows: T[],
  f: { limit: number; offset: number },
): { items: Omit<T, 'total'>[]; total: number; limit: number; offset: number } {
  const total = rows[0]?.total ?? 0;
  return {
    items: rows.map(({ total: _t, ...rest }) => rest),
    total,
    limit: f.limit,
    offset: f.offset,
  };
}

/** One partner or NOT_FOUND. */
export async function getPartner(wh: Warehouse, partnerId: string): Promise<PartnerRow> {
  const row = await wh.find<PartnerRow>(sql`
    select partner_id, name, partner_type, tier, region,
           strftime(joined_at, '%Y-%m-%dT%H:%M:%SZ') as joined_at
    from core.partners
    where partner_id = ${partnerId}`);
  if (!row) throw new JointlyError('NOT_FOUND', `No partner with id "${partnerId}".`);
  return row;
}

// GET /api/v1/partners: partners, filtered by type or name, paginated.
export const partnersList = defineRoute({
  method: 'GET',
  path: '/api/v1/partners',
  summary: 'List partners (a partner token sees only itself)',
  tags: ['partners'],
  action: 'read:partners',
  params: z.object({}),
  query: z.object({
    partnerType: z.enum(PARTNER_TYPES).optional().describe('Only partners of this type.'),
    q: z.string().min(1).max(200).optional().describe('Name contains (case-insensitive).'),
    ...pageParams,
  }),
  response: page(partnerSchema),
  handler: async ({ wh, scope, query }) =>
    listPartners(wh, {
      partnerId: scope(undefined),
      partnerType: query.partnerType,
      search: query.q,
      limit: query.limit,
      offset: query.offset,
    }),
});

// GET /api/v1/partners/:partnerId: one partner's profile.
export const partnerOne = defineRoute({
  method: 'GET',
  path: '/api/v1/partners/:partnerId',
  summary: 'One partner',
  tags: ['partners'],
  action: 'read:partners',
  params: z.object({ partnerId: z.string().min(1).max(200) }),
  query: z.object({}),
  response: partnerSchema,
  handler: async ({ wh, scope, params }) =>
    getPartner(wh, scope(params.partnerId) ?? params.partnerId),
});

export const routes = [partnersList, partnerOne];
