/** `jointly serve` as a command: bad flags fail with one line and a non-zero exit. */
import { describe, expect, test, vi } from 'vitest';
import { runCli } from '../../src/cli/program.js';

describe('failures', () => {
  test('a port that is not a number is refused before anything opens', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['serve', '--port', 'eighty', '--db', '/nonexistent/dir/x.duckdb'])).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain('--port expects a number, got "eighty".');
    } finally {
      err.mockRestore();
    }
  });

  test('a port out of range is refused', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['serve', '--port', '70000'])).toBe(2);
      expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain('--port expects an integer 0-65535, got "70000".');
    } finally {
      err.mockRestore();
    }
  });
});
