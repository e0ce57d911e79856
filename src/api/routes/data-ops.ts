/**
 * Load batches and quarantined rows from `meta` (admins and analysts only: quarantined rows
 * can hold any partner's data).
 */
import { z } from 'zod';
import { sql } from '../../warehouse/index.js';
import { defineRoute, page, pageParams } from '../route.js';
import { rowsToPage } from './partners.js';

const batchSchema = z.object({
  batch_id: z.number().int(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  status: z.string(),
  actor: z.string().nullable(),
  message: z.string().nullable(),
  files: z.number().int(),
  rows_in: z.number().int(),
  loaded: z.number().int(),
  updated: z.number().int(),
  duplicates: z.number().int(),
  quarantined: z.number().int(),
});

// GET /api/v1/batches: load batches with their row counts, newest first.
export const batches = defineRoute({
  method: 'GET',
  path: '/api/v1/batches',
  summary: 'Load batches with row counts (in = loaded + updated + duplicates + quarantined)',
  tags: ['data quality'],
  action: 'read:quality',
  params: z.object({}),
  query: z.object({ ...pageParams }),
  response: page(batchSchema),
  handler: async ({ wh, query }) => {
    const rows = await wh.all<z.infer<typeof batchSchema> & { total: number }>(sql`
      with file_totals as (
        select batch_id, count(*) as files, sum(rows_in) as rows_in, sum(loaded) as loaded,
               sum(updated) as updated, sum(duplicates) as duplicates, sum(quarantined) as quarantined
        from meta.batch_files
        group by batch_id
      )
      select b.batch_id, strftime(b.started_at, '%Y-%m-%dT%H:%M:%SZ') as started_at,
             strftime(b.finished_at, '%Y-%m-%dT%H:%M:%SZ') as finished_at, b.status, b.actor, b.message,
             coalesce(f.files, 0)::integer as files, coalesce(f.rows_in, 0)::integer as rows_in,
             coalesce(f.loaded, 0)::integer as loaded, coalesce(f.updated, 0)::integer as updated,
             coalesce(f.duplicates, 0)::integer as duplicates,
             coalesce(f.quarantined, 0)::integer as quarantined,
             (count(*) over ())::integer as total
      from meta.batches b
      left join file_totals f using (batch_id)
      order by b.batch_id desc
      limit ${query.limit} offset ${query.offset}`);
    return rowsToPage(rows, query);
  },
});

const quarantineSchema = z.object({
  batch_id: z.number().int(),
  file: z.string(),
  table_name: z.string(),
  line: z.number().int().nullable(),
  column_name: z.string().nullable(),
  reason_code: z.string(),
  reason: z.string(),
});

// GET /api/v1/quarantine: rows ingest set aside, with file, line, column and reason.
export const quarantine = defineRoute({
  method: 'GET',
  path: '/api/v1/quarantine',
  summary: 'Quarantined rows with file, line, column and reason',
  tags: ['data quality'],
  action: 'read:quality',
  params: z.object({}),
  query: z.object({
    batchId: z.coerce.number().int().min(1).optional().describe('Only this batch.'),
    table: z.string().regex(/^[a-z_]+$/).optional().describe('Only this canonical table.'),
    ...pageParams,
  }),
  response: page(quarantineSchema),
  handler: async ({ wh, query }) => {
    const rows = await wh.all<z.infer<typeof quarantineSchema> & { total: number }>(sql`
      select batch_id, file, table_name, line::integer as line, column_name, reason_code, reason,
             (count(*) over ())::integer as total
      from meta.quarantine
      where (${query.batchId ?? null}::integer is null or batch_id = ${query.batchId ?? null})
        and (${query.table ?? null}::varchar is null or table_name = ${query.table ?? null})
      order by batch_id desc, file, row_number
      limit ${query.limit} offset ${query.offset}`);
    return rowsToPage(rows, query);
  },
});

export const routes = [batches, quarantine];
