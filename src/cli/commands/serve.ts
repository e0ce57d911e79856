/**
 * `jointly serve`: the HTTP API and dashboard on one port. The server owns the warehouse file
 * while it runs (DuckDB has one writer process), so stop it before loading with another command.
 */
import type { Command } from 'commander';
import { JointlyError } from '../../core/errors.js';
import { startServer } from '../../api/index.js';
import { parseNumberOption, withDb } from '../output.js';

export const order = 80;

export function register(program: Command): void {
  withDb(
    program
      .command('serve')
      .description('serve the HTTP API (/api/v1, OpenAPI at /api/docs) and the dashboard'),
  )
    .option('--port <n>', 'port to listen on (0 = any free port)', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--log', 'log every request')
    .action(async (opts: { db: string; port: string; host: string; log?: boolean }) => {
      const port = parseNumberOption('port', opts.port);
      if (port === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
        throw new JointlyError('BAD_ARGUMENT', `--port expects an integer 0-65535, got "${opts.port}".`);
      }
      const server = await startServer({ dbPath: opts.db, port, host: opts.host, logger: Boolean(opts.log) });
      if (!process.env['JOINTLY_ADMIN_TOKEN']) {
        process.stderr.write('jointly serve: no JOINTLY_ADMIN_TOKEN set; create tokens with `jointly token create` or set it.\n');
      }
      process.stdout.write(`jointly serving ${opts.db} at ${server.url} (API docs: ${server.url}/api/docs)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          void server.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
