/** The attribution models that have a successful run, for the dashboard's model chooser. */
import { z } from 'zod';
import { sql } from '../../warehouse/index.js';
import { defineRoute, page } from '../route.js';
import { DEFAULT_MODEL } from './common.js';

const modelRunSchema = z.object({
  model: z.string(),
  run_id: z.number().int(),
  finished_at: z.string().nullable(),
  is_default: z.boolean().describe('The model reports read when no model is asked for.'),
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

// GET /api/v1/models: each model's latest successful attribution run, newest first, the default marked.
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
    const rows = await wh.all<Omit<z.infer<typeof modelRunSchema>, 'is_default'> & { total: number }>(MODEL_RUNS_SQL);
    // Same rule as resolveModelName: the default model when it has a run, else the newest.
    const fallback = rows.some((r) => r.model === DEFAULT_MODEL) ? DEFAULT_MODEL : rows[0]?.model;
    return {
      items: rows.map(({ total: _t, ...r }) => ({ ...r, is_default: r.model === fallback })),
      total: rows[0]?.total ?? 0,
      limit: rows.length,
      offset: 0,
    };
  },
});

export const routes = [models];
