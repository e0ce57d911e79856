/**
 * `jointly demo`: the main job end to end on a generated company, then the dashboard.
 */
import type { Command } from 'commander';
import { JointlyError } from '../../core/errors.js';
import { formatMoney, toMinor } from '../../core/money.js';
import { runDemo, type DemoResult } from '../../demo/index.js';
import { startServer } from '../../api/index.js';
import { formatTable, parseNumberOption, printJson } from '../output.js';

export const order = 1;

interface DemoFlags {
  scale: string;
  dir: string;
  seed: string;
  model: string;
  port: string;
  host: string;
  serve: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('generate a demo company, load it, run every model, summarise, and serve the dashboard')
    .option('--scale <scale>', 'small | ci | medium', 'small')
    .option('--dir <dir>', 'folder for the demo data and warehouse (recreated)', './demo')
    .option('--seed <n>', 'random seed', '42')
    .option('--model <name>', 'attribution model for the summary', 'position_based')
    .option('--port <n>', 'port for the dashboard (0 = any free port)', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--no-serve', 'stop after the summary instead of serving the dashboard')
    .option('--json', 'print the summary as JSON (implies --no-serve)')
    .action(async (flags: DemoFlags) => {
      if (flags.scale !== 'small' && flags.scale !== 'ci' && flags.scale !== 'medium') {
        throw new JointlyError('BAD_ARGUMENT', `--scale expects small, ci or medium, got "${flags.scale}".`);
      }
      const seed = parseNumberOption('seed', flags.seed) ?? 42;
      const port = parseNumberOption('port', flags.port) ?? 8080;
      const quiet = Boolean(flags.json);
      const started = Date.now();
      const result = await runDemo({
        scale: flags.scale,
        dir: flags.dir,
        seed,
        model: flags.model,
        onStep: (s) => {
          if (!quiet) process.stderr.write(`… ${s}\n`);
        },
      });
      if (flags.json) {
        printJson(result);
        return;
      }
      process.stdout.write(renderSummary(result, (Date.now() - started) / 1000));
      if (!flags.serve) return;
      const server = await startServerOnFreePort(result.dbPath, port, flags.host);
      const lines = [
        '',
        `Dashboard:   ${server.url}/`,
        `  sign in as admin with token   ${result.tokens.admin}`,
        result.tokens.partner
          ? `  partner portal (${result.tokens.partner.name}) token   ${result.tokens.partner.token}`
          : '',
        `API docs:    ${server.url}/api/docs`,
        `Warehouse:   ${result.dbPath} (explore with: npx jointly report partners --db ${result.dbPath} --model ${result.model} — after stopping the server)`,
        'Press Ctrl+C to stop.',
        '',
      ];
      process.stdout.write(lines.filter((l) => l !== '').join('\n') + '\n');
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

async function startServerOnFreePort(dbPath: string, port: number, host: string) {
  try {
    return await startServer({ dbPath, port, host });
  } catch (error) {
    if (/EADDRINUSE/.test(String(error))) return startServer({ dbPath, port: 0, host });
    throw error;
  }
}

function money(v: string | null | undefined): string {
  if (v === null || v === undefined) return '-';
  return formatMoney(toMinor(v));
}

function pct(v: number | null | undefined): string {
  return v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`;
}

/** The summary a partner manager reads first. */
export function renderSummary(r: DemoResult, seconds: number): string {
  const out: string[] = [];
  out.push(`jointly demo — done in ${seconds.toFixed(1)} s`, '');
  out.push(
    formatTable(r.stages, [
      { header: 'stage', value: (s) => s.stage },
      { header: 'status', value: (s) => (s.ok ? 'ok' : 'FAILED') },
      { header: 'detail', value: (s) => s.detail },
    ]),
  );
  out.push(
    '',
    `Ingest: ${r.ingest.rowsIn} rows in = ${r.ingest.loaded} loaded + ${r.ingest.duplicates} duplicates + ${r.ingest.quarantined} quarantined ` +
      `(the generator planted ${r.ingest.plantedDirty} bad rows; see \`jointly quarantine\`).`,
  );
  if (r.runs.length) {
    const conserved = r.runs.every(
      (x) => x.credited_pipeline_total === x.pipeline_total && x.credited_revenue_total === x.revenue_total,
    );
    out.push(
      `Attribution: ${r.runs.length} models; credits add up to the booked totals to the cent: ${conserved ? 'yes' : 'NO'} ` +
        `(pipeline ${money(r.runs[0]?.pipeline_total)}, revenue ${money(r.runs[0]?.revenue_total)} USD).`,
    );
  }
  const incr = new Map(
    r.incrementality.filter((x) => x.unit_kind === 'partner' && x.metric === 'revenue').map((x) => [x.unit_id, x]),
  );
  if (r.topPartners.length) {
    out.push('', `Top partners by attributed revenue (${r.model}; USD):`);
    out.push(
      formatTable(r.topPartners, [
        { header: 'partner', value: (p) => p.name ?? p.key },
        { header: 'sourced pipeline', value: (p) => money(p.sourced_pipeline), align: 'right' },
        { header: 'influenced pipeline', value: (p) => money(p.influenced_pipeline), align: 'right' },
        { header: 'attributed revenue', value: (p) => money(p.attributed_revenue), align: 'right' },
        {
          header: 'incremental revenue (95% CI)',
          value: (p) => {
            const x = incr.get(p.key);
            if (!x) return '-';
            if (x.incremental === null) return x.note ?? 'insufficient data';
            return `${money(x.incremental)} (${money(x.ci_low)} … ${money(x.ci_high)})`;
          },
          align: 'right',
        },
        { header: 'win rate with / without', value: (p) => `${pct(p.win_rate_with_partner)} / ${pct(p.win_rate_without_partner)}` },
      ]),
    );
  }
  return out.join('\n') + '\n';
}
