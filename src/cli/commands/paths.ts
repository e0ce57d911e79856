/**
 * `jointly paths`: data-driven and rule-based attribution over an aggregated paths CSV (journeys
 * already grouped, as web analytics tools and ChannelAttribution export them). No warehouse: the
 * same engine the attribution runner uses, applied to a file.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import {
  firstTouchCredits,
  lastTouchCredits,
  linearCredits,
  markovModel,
  parsePathsCsv,
  shapleyCredits,
  type ChannelCredit,
  type PathRow,
} from '../../attribution/data-driven/index.js';
import { JointlyError } from '../../core/errors.js';
import { printJson, printTable } from '../output.js';

export const order = 32;

const MODELS = ['first_touch', 'last_touch', 'linear', 'markov', 'shapley'] as const;
type PathModel = (typeof MODELS)[number];

const flagsSchema = z.object({
  input: z.string().min(1),
  model: z.enum([...MODELS, 'all']),
  order: z.coerce.number().int().min(1).max(4),
  samples: z.coerce.number().int().min(2).optional(),
  seed: z.coerce.number().int().optional(),
  worth: z.enum(['conversions', 'conversion_rate']),
  json: z.boolean().optional(),
});
type PathsFlags = z.infer<typeof flagsSchema>;

export function register(program: Command): void {
  program
    .command('paths')
    .description('Attribute conversions and value of an aggregated paths CSV to channels (no warehouse).')
    .requiredOption('--input <file>', 'CSV with columns path (channels joined by " > "), total_conversions, total_conversion_value, total_null')
    .requiredOption('--model <name>', `${MODELS.join(', ')} or all (side by side)`)
    .option('--order <k>', 'Markov chain order, 1 to 4', '1')
    .option('--samples <n>', 'Shapley permutations when sampling (more than 12 channels)')
    .option('--seed <n>', 'Shapley sampling seed')
    .option('--worth <kind>', 'Shapley worth of a channel set: conversions or conversion_rate', 'conversions')
    .option('--json', 'machine-readable output: [{"channel","conversions","value"}] (with --model all: an object keyed by model)')
    .action((raw: Record<string, unknown>) => {
      const flags = parseFlags(raw);
      const paths = parsePathsCsv({ file: flags.input });
      if (flags.model === 'all') {
        printAll(paths, flags);
        return;
      }
      const run = runModel(paths, flags.model, flags);
      if (flags.json) {
        printJson(run.credits.map((c) => ({ channel: c.channel, conversions: c.conversions, value: c.value })));
        return;
      }
      if (run.note) process.stdout.write(`${run.note}\n`);
      printTable(byConversions(run.credits), [
        { header: 'channel', value: (c) => c.channel },
        { header: 'conversions', value: (c) => c.conversions.toFixed(2), align: 'right' },
        { header: 'value', value: (c) => c.value.toFixed(2), align: 'right' },
        { header: 'share', value: (c) => `${(c.share * 100).toFixed(1)}%`, align: 'right' },
      ]);
    });
}

function parseFlags(raw: Record<string, unknown>): PathsFlags {
  const parsed = flagsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = String(issue?.path[0] ?? 'flags');
    const got = raw[flag];
    throw new JointlyError(
      'BAD_ARGUMENT',
      `--${flag}: ${issue?.message ?? 'invalid'} (got ${got === undefined ? 'nothing' : JSON.stringify(got)}). ` +
        `Models: ${MODELS.join(', ')}, all; --order 1 to 4.`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

function runModel(paths: PathRow[], model: PathModel, flags: PathsFlags): { credits: ChannelCredit[]; note?: string } {
  switch (model) {
    case 'first_touch':
      return { credits: firstTouchCredits(paths) };
    case 'last_touch':
      return { credits: lastTouchCredits(paths) };
    case 'linear':
      return { credits: linearCredits(paths) };
    case 'markov': {
      const m = markovModel(paths, { order: orderOf(flags.order) });
      return {
        credits: m.credits,
        note: `Markov order ${m.order}: ${m.states - 1} channel states, P(conversion) ${m.conversionProbability.toFixed(6)} (${m.solver} solve)`,
      };
    }
    case 'shapley': {
      const s = shapleyCredits(paths, {
        ...(flags.samples !== undefined ? { samples: flags.samples } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        worth: flags.worth,
      });
      return {
        credits: s.credits,
        note:
          s.method === 'exact'
            ? `Shapley (exact, worth: ${flags.worth})`
            : `Shapley (sampled, worth: ${flags.worth}; standard error of a share up to ${((s.standardError ?? 0) * 100).toFixed(2)} points)`,
      };
    }
  }
}

function orderOf(k: number): 1 | 2 | 3 | 4 {
  return k === 2 || k === 3 || k === 4 ? k : 1;
}

function byConversions(credits: ChannelCredit[]): ChannelCredit[] {
  return [...credits].sort((a, b) => b.conversions - a.conversions || (a.channel < b.channel ? -1 : 1));
}

function printAll(paths: PathRow[], flags: PathsFlags): void {
  const results = Object.fromEntries(MODELS.map((m) => [m, runModel(paths, m, flags).credits])) as Record<PathModel, ChannelCredit[]>;
  if (flags.json) {
    printJson(
      Object.fromEntries(
        MODELS.map((m) => [m, results[m].map((c) => ({ channel: c.channel, conversions: c.conversions, value: c.value }))]),
      ),
    );
    return;
  }
  const lookup = (m: PathModel, channel: string) => results[m].find((c) => c.channel === channel);
  const rows = byConversions(results.markov).map((c) => c.channel);
  for (const field of ['conversions', 'value'] as const) {
    process.stdout.write(`${field} credited per channel (Markov order ${flags.order})\n`);
    printTable(rows, [
      { header: 'channel', value: (ch) => ch },
      ...MODELS.map((m) => ({ header: m, value: (ch: string) => (lookup(m, ch)?.[field] ?? 0).toFixed(2), align: 'right' as const })),
    ]);
    process.stdout.write('\n');
  }
}
