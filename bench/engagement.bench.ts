/**
 * Engagement benchmark (issue 5): on the generator's medium demo (100k accounts, 80 partners,
 * ~1.08M touchpoints) as already ingested by other benchmarks — seed 1 in
 * bench/data/api-medium.duckdb and seed 42 (the demo's seed) in
 * bench/data/incrementality-medium/warehouse.duckdb, each copied to a scratch file (peak RSS is
 * the process's, so the second figure covers both runs) — one engagement run (credits, scores, pipeline relation, alerts), then
 * `predict engagement` and `predict renewal` — with wall time and peak RSS, and the alerts scored
 * against truth.json: was the planted engagement drop found (partner and month), how many other
 * alerts (false against the truth file, which plants one anomaly) and their rate per partner-month
 * and per series-month tested. Figures are reported as measured; nothing is tuned to the truth.
 *
 *   timeout 1200 flock -w 1200 /tmp/jointly-bench.lock npx tsx bench/engagement.bench.ts [small|medium]
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { Warehouse } from '../src/warehouse/index.js';
import { AS_OF, generateDemoData, type Truth } from '../src/generate/index.js';
import { ingestPaths } from '../src/ingest/index.js';
import { getAlerts, predictEngagement, predictRenewal, runEngagement } from '../src/engagement/index.js';
import { messageOf } from '../src/core/index.js';

type Scale = 'small' | 'medium';

async function timed<T>(f: () => Promise<T>): Promise<{ seconds: number; value?: T; refused?: string }> {
  const t = Date.now();
  try {
    const value = await f();
    return { seconds: (Date.now() - t) / 1000, value };
  } catch (error) {
    return { seconds: (Date.now() - t) / 1000, refused: messageOf(error) };
  }
}

/**
 * Runs the benchmark on the API benchmark's data (seed 1) and, when present, on the
 * incrementality benchmark's medium warehouse (seed 42, the demo's seed); returns the figures
 * recorded in bench/results/engagement.json.
 */
export async function run(opts: { dataDir?: string; dbPath?: string; scale?: Scale | 'large'; resultsDir?: string }): Promise<Record<string, unknown>> {
  const scale: Scale = opts.scale === 'small' ? 'small' : 'medium';
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const dataRoot = opts.dataDir ? dirname(opts.dataDir) : join(root, 'bench', 'data');
  const runs: Record<string, unknown>[] = [await runOne(scale, join(dataRoot, `api-${scale}`), join(dataRoot, `api-${scale}.duckdb`))];
  const seed42 = join(dataRoot, `incrementality-${scale}`);
  if (existsSync(join(seed42, 'warehouse.duckdb')) && existsSync(join(seed42, 'truth.json'))) {
    runs.push(await runOne(scale, seed42, join(seed42, 'warehouse.duckdb')));
  }
  const out = { scale, runs };
  if (opts.resultsDir === undefined) {
    const dir = join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'engagement.json'), JSON.stringify({ benchmark: 'engagement', finished_at: new Date().toISOString(), ...out }, null, 2) + '\n');
  }
  return out;
}

/** One data set: copy its warehouse to a scratch file, run engagement, alerts and predictions. */
async function runOne(scale: Scale, source: string, sourceDb: string): Promise<Record<string, unknown>> {
  process.env['JOINTLY_PII_KEY'] ??= 'bench-pii-key-not-secret';
  const scratch = join(tmpdir(), `jointly-engagement-bench-${scale}-${process.pid}.duckdb`);
  const timings: Record<string, number> = {};
  if (!existsSync(join(source, 'truth.json')) || !existsSync(sourceDb)) {
    // Same data as the API benchmark: the generator's seed 1, ingested once.
    mkdirSync(source, { recursive: true });
    let t = Date.now();
    await generateDemoData({ seed: 1, scale, outDir: source });
    timings['generate_s'] = (Date.now() - t) / 1000;
    t = Date.now();
    const wh = await Warehouse.open(sourceDb);
    await ingestPaths(wh, [source], { now: new Date(AS_OF) });
    await wh.close();
    timings['ingest_s'] = (Date.now() - t) / 1000;
  }
  copyFileSync(sourceDb, scratch);
  const truth: Truth = JSON.parse(readFileSync(join(source, 'truth.json'), 'utf8'));
  const planted = truth.anomalies.find((a) => a['kind'] === 'engagement_drop') as { partner_id: string; month: string } | undefined;
  const load_before = loadavg().map((x) => Math.round(x * 100) / 100);
  const wh = await Warehouse.open(scratch);
  try {
    const eng = await timed(() => runEngagement(wh));
    if (!eng.value) throw new Error(`engagement run failed: ${eng.refused}`);
    timings['engagement_s'] = eng.seconds;
    const { alerts } = await getAlerts(wh);
    const isPlanted = (a: { grain: string; partner_id: string; month: string }) =>
      a.grain === 'partner' && a.partner_id === planted?.partner_id && a.month === planted?.month;
    const found = alerts.find(isPlanted);
    // The planted partner's activity-type alerts in the planted month are the drop's breakdown.
    const breakdown = alerts.filter((a) => a.grain === 'partner_activity_type' && a.partner_id === planted?.partner_id && a.month === planted?.month);
    const falsePartner = alerts.filter((a) => a.grain === 'partner' && !isPlanted(a));
    // The co-sell experiment (truth.experiments) moves its partner's engagement for real: its
    // alerts are counted apart (still false against the anomaly list).
    const experimentPartner = truth.experiments.map((e) => e['partner_id']).find((x): x is string => typeof x === 'string');
    const onExperimentPartner = falsePartner.filter((a) => a.partner_id === experimentPartner).length;
    const falseTypes = alerts.filter((a) => a.grain === 'partner_activity_type' && !breakdown.includes(a));
    const s = eng.value;
    const pe = await timed(() => predictEngagement(wh));
    timings['predict_engagement_s'] = pe.seconds;
    const pr = await timed(() => predictRenewal(wh));
    timings['predict_renewal_s'] = pr.seconds;
    const out = {
      data: sourceDb,
      seed: truth.generator.seed,
      touchpoints: truth.counts['touchpoints'],
      run_id: s.run_id,
      timings,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      load_avg_before: load_before,
      load_avg_after: loadavg().map((x) => Math.round(x * 100) / 100),
      alerts: {
        total: s.alerts,
        fdr: s.alert_fdr,
        critical_z: s.alert_critical_z,
        tests: s.alert_tests,
        partner_month_tests: s.alert_partner_month_tests,
        planted: planted ?? null,
        planted_found: Boolean(found),
        planted_alert: found ? { value: found.value, expected: found.expected, range: [found.expected_low, found.expected_high], z: found.z, rank: alerts.indexOf(found) + 1 } : null,
        planted_activity_type_breakdown: breakdown.length,
        false_partner_alerts: falsePartner.length,
        false_partner_alerts_on_experiment_partner: onExperimentPartner,
        experiment_partner: experimentPartner ?? null,
        false_activity_type_alerts: falseTypes.length,
        false_alert_rate_per_partner_month: s.alert_partner_month_tests ? falsePartner.length / s.alert_partner_month_tests : null,
        false_alert_rate_per_test: s.alert_tests ? (falsePartner.length + falseTypes.length) / s.alert_tests : null,
        false_partner_alerts_list: falsePartner.map((a) => `${a.partner_id} ${a.month} ${a.direction} ${a.value} vs ${a.expected} (z ${a.z})`),
      },
      predict_engagement: pe.value ? { auc: pe.value.evaluation.auc, scored: pe.value.accounts.length } : { refused: pe.refused },
      predict_renewal: pr.value ? { auc: pr.value.evaluation.auc, scored: pr.value.customers.length } : { refused: pr.refused },
    };
    process.stdout.write(`${sourceDb}: ${s.alerts} alerts, planted ${found ? 'found' : 'missed'}, ${timings['engagement_s']} s\n`);
    return out;
  } finally {
    await wh.close();
    rmSync(scratch, { force: true });
    rmSync(`${scratch}.wal`, { force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await run({ scale: process.argv[2] === 'small' ? 'small' : 'medium' });
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
}
