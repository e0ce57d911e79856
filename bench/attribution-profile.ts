/** Quick profiler: runs the given models once on a copy of a bench warehouse and prints timings. */
import { Warehouse, sql } from '../src/warehouse/index.js';
import { deleteCreditRows, runAttribution } from '../src/attribution/index.js';

const [db, ...models] = process.argv.slice(2);
const wh = await Warehouse.open(db ?? '', { settings: { memory_limit: '3GB' } });
if (process.env['PROFILE_STATEMENTS']) {
  // Every statement over 200 ms (wall and process CPU), with its first line: where a model's time goes.
  for (const name of ['run', 'all'] as const) {
    const orig = wh[name].bind(wh) as (...a: unknown[]) => Promise<unknown>;
    (wh as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const t = performance.now();
      const c0 = process.cpuUsage();
      const r = await orig(...args);
      const ms = performance.now() - t;
      const c = process.cpuUsage(c0);
      const cpu = Math.round((c.user + c.system) / 1000);
      const q = args[0] as string | { text: string };
      const text = (typeof q === 'string' ? q : q.text).replace(/\s+/g, ' ').slice(0, 110);
      if (ms > 200) process.stdout.write(`  ${Math.round(ms)} ms (cpu ${cpu}) ${text}\n`);
      return r;
    };
  }
}
const t0 = performance.now();
await wh.all(sql`select t.partner_id, sum(o.amount_base) from core.touchpoints t join core.opportunities o on o.account_id = t.account_id group by t.partner_id`);
const t1 = performance.now();
await wh.all(sql`select t.partner_id, sum(o.amount_base) from core.touchpoints t join core.opportunities o on o.account_id = t.account_id group by t.partner_id`);
process.stdout.write(`floor ${Math.round(t1 - t0)} ${Math.round(performance.now() - t1)}\n`);
for (const m of models) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const s = await runAttribution(wh, { model: m });
  const rec = await wh.all<{ s: string }>(sql`select summary::VARCHAR as s from meta.runs where run_id = ${s.run_id}`);
  const c = process.cpuUsage(cpu);
  process.stdout.write(`${m} wall ${Math.round(performance.now() - t)} cpu ${Math.round((c.user + c.system) / 1000)} ${JSON.stringify(JSON.parse(rec[0]?.s ?? '{}').timings)}\n`);
  await deleteCreditRows(wh, s.run_id);
}
await wh.close();
