/**
 * The HTTP API and dashboard server of jointly.
 *
 * @example
 * const server = await startServer({ dbPath: './jointly.duckdb', port: 0, host: '127.0.0.1' });
 * console.log(server.url); // http://127.0.0.1:54321
 * await server.close();
 */
import { Warehouse } from '../warehouse/index.js';
import { buildServer } from './server.js';

export { buildServer, findWebRoot, type ServerOptions } from './server.js';
export { buildOpenApi } from './openapi.js';
export { ROUTES } from './routes/index.js';
export { authenticate, scopeFor, type Principal, type Role } from './auth.js';

export interface StartOptions {
  dbPath: string;
  /** 0 picks a free port. */
  port?: number;
  /** Defaults to loopback; pass 0.0.0.0 deliberately to listen on every interface. */
  host?: string;
  /** Folder of the built dashboard (default: src/web/dist). */
  webRoot?: string;
  logger?: boolean;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the warehouse (this process becomes its one writer), starts the server and returns its
 * URL. `close()` stops listening and closes the warehouse.
 *
 * @example
 * const { url, close } = await startServer({ dbPath: 'jointly.duckdb', port: 8080 });
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const wh = await Warehouse.open(options.dbPath);
  try {
    const app = await buildServer({
      wh,
      ...(options.webRoot ? { webRoot: options.webRoot } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      warmup: true,
    });
    const host = options.host ?? '127.0.0.1';
    await app.listen({ port: options.port ?? 8080, host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    return {
      url: `http://${shown}:${port}`,
      async close() {
        await app.close();
        await wh.close();
      },
    };
  } catch (error) {
    await wh.close();
    throw error;
  }
}
