/**
 * Governance benchmark (issue 7): `runChecks` (every check kind, set-wise SQL) and a retention
 * purge dry run over ~10M touchpoints and 1M opportunities, plus token verification cost.
 * Data: synthetic core tables generated in DuckDB SQL (range() + hash), two load batches with file
 * totals, written once into the scratch warehouse and reused. Run with the bench lock held:
 *   flock /tmp/jointly-bench.lock npx tsx bench/governance.bench.ts [small|large]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Warehouse } from '../src/warehouse/index.js';
import { authenticate, createToken, createUser, purgeRetention, runChecks } from '../src/governance/index.js';

const SCALES = {
  small: { touches: 200_000, opps: 20_000, accounts: 16_000 },
  large: { touches: 10_000_000, opps: 1_000_000, accounts: 800_000 },
} as const;
type Scale = keyof typeof SCALES;

async function generate(wh: Warehouse, s: (typeof SCALES)[Scale]): Promise<void> {
  await wh.run(`
    insert into meta.batches values (1, now() - interval 3 hour, now() - interval 3 hour, 'succeeded', 'bench', null),
                                    (2, now() - interval 1 hour, now() - interval 1 hour, 'succeeded', 'bench', null);
    insert into core.partners (partner_id, name, partner_type, batch_id, source_file)
      select 'P' || i, 'Partner ' || i, 'reseller', 1, 'partners.csv' from range(200) r(i);
    insert into core.accounts (account_id, name, batch_id, source_file)
      select 'A' || i, 'Account ' || i, 1, 'accounts.csv' from range(${s.accounts}) r(i);
    insert into core.opportunities (opportunity_id, account_id, type, created_at, stage, is_closed, is_won, amount, amount_base, currency, batch_id, source_file)
      select 'O' || i, 'A' || (hash(i, 'oa') % ${s.accounts}), 'new_business',
        TIMESTAMP '2025-01-01' + to_seconds((hash(i, 'ct') % (365 * 86400))::BIGINT), 'open', false, false,
        (1000 + hash(i, 'amt') % 10000000)::DECIMAL(18,2) / 100, (1000 + hash(i, 'amt') % 10000000)::DECIMAL(18,2) / 100, 'USD',
        1 + (i % 2), 'opportunities-' || (1 + (i % 2)) || '.csv'
      from range(${s.opps}) r(i);
    insert into core.touchpoints (touchpoint_id, occurred_at, account_id, partner_id, channel, touch_type, batch_id, source_file)
      select 'T' || i, TIMESTAMP '2022-01-01' + to_seconds((hash(i, 'tt') % (1200 * 86400))::BIGINT),
        'A' || (hash(i, 'ta') % ${s.accounts}),
        case when hash(i, 'tp') % 10 < 3 then 'P' || (hash(i, 'pp') % 200) end,
        case when hash(i, 'tp') % 10 < 3 then 'partner' else 'paid' end, 'click', 2, 'touchpoints.csv'
      from range(${s.touches}) r(i);
    insert into meta.batch_files
      select batch_id, source_file, 'opportunities', 'csv', null, count(*), count(*), 0, 0, 0, sum(amount_base)
      from core.opportunities group by all;
    insert into meta.batch_files
      select 2, 'touchpoints.csv', 'touchpoints', 'csv', null, count(*), count(*), 0, 0, 0, null from core.touchpoints;
  `);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

/** Runs the benchmark; returns the figures recorded in bench/results/governance.json. */
export async function run(opts: { dbPath: string; scale?: Scale; resultsDir?: string }): Promise<Record<string, unknown>> {
  const scale: Scale = opts.scale === 'small' ? 'small' : 'large';
  const s = SCALES[scale];
  const dbPath = opts.dbPath.replace(/\.duckdb$/, `-${scale}.duckdb`);
  mkdirSync(dirname(dbPath), { recursive: true });
  const fresh = !existsSync(dbPath);
  const wh = await Warehouse.open(dbPath);
  try {
    let generateMs = 0;
    if (fresh) {
      const t = performance.now();
      await generate(wh, s);
      generateMs = Math.round(performance.now() - t);
    }
    const checkMs: number[] = [];
    let last: Awaited<ReturnType<typeof runChecks>> | undefined;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      last = await runChecks(wh, { actor: 'bench' });
      checkMs.push(Math.round(performance.now() - t));
    }
    const t = performance.now();
    const purge = await purgeRetention(wh, { actor: 'bench', dryRun: true });
    const purgeMs = Math.round(performance.now() - t);
    const { userId } = await createUser(wh, { name: 'bench', role: 'analyst' });
    const { token } = await createToken(wh, { userId });
    const authMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = performance.now();
      await authenticate(wh, token);
      authMs.push(Math.round(performance.now() - a));
    }
    return {
      touchpoints: s.touches,
      opportunities: s.opps,
      generate_ms: generateMs,
      checks: last?.results.length,
      check_status: last?.status,
      check_counts: last?.counts,
      run_checks_ms_median_of_3: median(checkMs),
      run_checks_ms: checkMs,
      retention_dry_run_ms: purgeMs,
      retention_rows_due: purge.totalRows,
      authenticate_ms_median_of_5: median(authMs),
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await wh.close();
  }
}

// Direct run: npx tsx bench/governance.bench.ts [small|large]
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const scale: Scale = process.argv[2] === 'small' ? 'small' : 'large';
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const resultsDir = join(root, 'bench', 'results');
  const result = await run({ dbPath: join(root, 'bench', 'data', 'governance.duckdb'), scale });
  const record = { benchmark: 'governance', scale, finished_at: new Date().toISOString(), ...result };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'governance.json'), JSON.stringify(record, null, 2) + '\n');
  process.stdout.write(JSON.stringify(record, null, 2) + '\n');
}
