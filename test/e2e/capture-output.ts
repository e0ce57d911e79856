/**
 * Captures what the CLI writes to stdout and stderr during each test of the file that calls it
 * (CLI tests run `runCli` in-process, so output goes through process.stdout/stderr.write).
 *
 * @example
 * const io = captureOutput();
 * test('…', async () => { await runCli(['metrics', '--json']); JSON.parse(io.out); });
 */
import { afterEach, beforeEach, vi } from 'vitest';

export interface CapturedOutput {
  out: string;
  err: string;
}

export function captureOutput(): CapturedOutput {
  const io: CapturedOutput = { out: '', err: '' };
  beforeEach(() => {
    io.out = '';
    io.err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      io.out += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      io.err += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return io;
}
