/**
 * The `jointly` program: commander with every registered subcommand. Errors end as one line on
 * stderr and a non-zero exit code; a stack trace only with JOINTLY_DEBUG=1.
 */
import { Command, CommanderError } from 'commander';
import { isJointlyError, messageOf } from '../core/errors.js';
import { loadCommands } from './commands/index.js';

export async function buildProgram(): Promise<Command> {
  const program = new Command('jointly')
    .description('Measure what partnerships are worth: attribution, incrementality, payouts, trust.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of await loadCommands()) register(program);
  program.commands.forEach((c) => c.exitOverride());
  return program;
}

/** Runs the CLI with the given argv; returns the exit code instead of exiting (for tests). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = await buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its message (help, version, unknown option).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isJointlyError(error)) {
      process.stderr.write(`jointly: ${error.message}\n`);
      if (process.env['JOINTLY_DEBUG']) process.stderr.write(`${error.stack ?? ''}\n`);
      return error.exitCode;
    }
    process.stderr.write(`jointly: internal error: ${messageOf(error)}\n`);
    if (process.env['JOINTLY_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
    return 70;
  }
}
