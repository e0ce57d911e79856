/**
 * `jointly paths` end to end through the CLI program (real files in a temp dir).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';

const dir = mkdtempSync(join(tmpdir(), 'jointly-paths-cli-'));
const file = join(dir, 'paths.csv');
// DP6 README grouped journeys (see src/attribution/data-driven/reference-vectors.test.ts), value 10 a journey
writeFileSync(file, 'path,total_conversions,total_conversion_value,total_null\na > a > b,2,20,1\nb > a,1,10,3\nc > b,0,0,6\n');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await runCli(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('jointly paths', () => {
  test('--json prints exactly channel, conversions and value per channel', async () => {
    const { code, out } = await cli(['paths', '--input', file, '--model', 'last_touch', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([
      { channel: 'a', conversions: 1, value: 10 },
      { channel: 'b', conversions: 2, value: 20 },
      { channel: 'c', conversions: 0, value: 0 },
    ]);
  });

  test('markov --json credits shares of removal effects 19/39, 6/7, 36/79 times 3 conversions', async () => {
    const { code, out } = await cli(['paths', '--input', file, '--model', 'markov', '--order', '1', '--json']);
    expect(code).toBe(0);
    const rows = JSON.parse(out) as { channel: string; conversions: number; value: number }[];
    const sum = 19 / 39 + 6 / 7 + 36 / 79;
    expect(rows.map((r) => [r.channel, Number(r.conversions.toFixed(10)), Number(r.value.toFixed(8))])).toEqual([
      ['a', Number(((3 * 19) / 39 / sum).toFixed(10)), Number(((30 * 19) / 39 / sum).toFixed(8))],
      ['b', Number(((3 * 6) / 7 / sum).toFixed(10)), Number(((30 * 6) / 7 / sum).toFixed(8))],
      ['c', Number(((3 * 36) / 79 / sum).toFixed(10)), Number(((30 * 36) / 79 / sum).toFixed(8))],
    ]);
  });

  test('--model all prints every model side by side', async () => {
    const { code, out } = await cli(['paths', '--input', file, '--model', 'all']);
    expect(code).toBe(0);
    expect(out).toContain('channel  first_touch  last_touch  linear  markov  shapley');
    expect(out.split('\n').find((l) => l.startsWith('a '))).toMatch(/^a\s+2\.00\s+1\.00\s+1\.83\s+0\.81\s+1\.50$/);
  });

  describe('failures', () => {
    test('an unknown model is one line on stderr and exit 2', async () => {
      const { code, err } = await cli(['paths', '--input', file, '--model', 'magic']);
      expect(code).toBe(2);
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toMatch(/^jointly: --model: /);
    });
    test('an order of 5 is refused', async () => {
      const { code, err } = await cli(['paths', '--input', file, '--model', 'markov', '--order', '5']);
      expect(code).toBe(2);
      expect(err).toMatch(/--order/);
    });
    test('a bad cell names file, line and column', async () => {
      const bad = join(dir, 'bad.csv');
      writeFileSync(bad, 'path,total_conversions,total_conversion_value,total_null\na,1,x,0\n');
      const { code, err } = await cli(['paths', '--input', bad, '--model', 'linear']);
      expect(code).toBe(65);
      expect(err).toBe(`jointly: ${bad}: line 2, column total_conversion_value: expected a number, got "x".\n`);
    });
    test('a missing file exits 66', async () => {
      const { code } = await cli(['paths', '--input', join(dir, 'none.csv'), '--model', 'linear']);
      expect(code).toBe(66);
    });
  });
});
