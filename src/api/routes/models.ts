/** The attribution models that have a successful run, for the dashboard's model chooser. */
import { z } from 'zod';
import { sql } from '../../warehouse/index.js';
import { defineRoute, page } from '../route.js';

const modelRunSchema = z.object({
  model: z.string(),
  run_id: z.number().int(),
  finished_at: z.string().nullable(),
});

const MODEL_RUNS_SQL = sql`
  with ranked as (
    select model, run_id, finished_at,
           row_number() over (partition by model order by run_id desc) as rn
    from meta.runs
    where kind = 'attribution'
      and status = 'succeeded'
  )
  select model, run_id::integer as run_id, strftime(finished_at, '%Y-%m-%dT%H:%M:%SZ') as finished_at,
         (count(*) over ())::integer as total
  from ranked
  where rn = 1
  order by run_id desc`;

// GET /api/v1/models: each model's latest successful attribution run, newest first.
export const models = defineRoute({
  method: 'GET',
  path: '/api/v1/models',
  summary: 'Attribution models with a successful run (latest run of each)',
  tags: ['attribution'],
  action: 'read:reports',
  global: true,
  params: z.object({}),
  query: z.object({}),
  response: page(modelRunSchema),
  handler: async ({ wh }) => {
    const rows = await wh.all<z.infer<typeof modelRunSchema> & { total: number }>(MODEL_RUNS_SQL);
    return {
      items: rows.map(({ total: _t, ...r }) => r),
      total: rows[0]?.total ?? 0,
      limit: rows.length,
      offset: 0,
    };
  },
});

export const routes = [models];
