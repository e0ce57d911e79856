/**
 * Readers of the attribution credits at a given scale: one linear run, then explain (three times)
 * and a deal page (twice). ROOT is a checkout to measure (this one, or a git worktree of an older
 * commit for an A/B); DB a copy of a bench warehouse (it is written to).
 *   npx tsx bench/attribution-readers.ts ROOT DB
 */

const root = process.argv[2] ?? process.cwd();
const { Warehouse } = await import(`${root}/src/warehouse/index.js`);
const { runAttribution } = await import(`${root}/src/attribution/index.js`);
const { explainOpportunity, listDeals } = await import(`${root}/src/reports/index.js`);
const wh = await Warehouse.open(process.argv[3]!, { settings: { memory_limit: '3GB' } });
const t0 = performance.now();
const run = await runAttribution(wh, { model: 'linear' });
console.log('linear run', Math.round(performance.now() - t0), 'ms');
const opp = (await wh.all(`select opportunity_id from report.involvement where run_id = ${run.run_id} order by opportunity_id limit 1 offset 500`))[0].opportunity_id;
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const e = await explainOpportunity(wh, { opportunityId: opp, model: 'linear' });
  console.log('explain', Math.round(performance.now() - t), 'ms', e.purposes.map((p: { touches: unknown[] }) => p.touches.length).join('/'));
}
for (let i = 0; i < 2; i++) {
  const t = performance.now();
  const d = await listDeals(wh, { model: 'linear', limit: 50, offset: 0 });
  console.log('listDeals', Math.round(performance.now() - t), 'ms', d.total ?? '');
}
await wh.close();
