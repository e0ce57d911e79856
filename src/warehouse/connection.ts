/**
 * The warehouse: one DuckDB file, opened through @duckdb/node-api.
 *
 * `Warehouse.open` applies pending migrations (unless read-only). Reads return plain JSON-safe
 * objects (`getRowObjectsJson`: BIGINT and DECIMAL arrive as strings, timestamps as ISO-like
 * strings), so no DuckDB value type leaks past this module. A DuckDB file has one writer process
 * at a time; a second writer gets a DB_LOCKED error that says so.
 *
 * @example
 * const wh = await Warehouse.open('./jointly.duckdb');
 * const rows = await wh.all(sql`select count(*)::integer as n from core.partners`);
 * await wh.close();
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { JointlyError, messageOf } from '../core/errors.js';
import type { Sql, SqlValue } from './sql.js';
import { migrate } from './migrations/index.js';

export const DEFAULT_DB_PATH = './jointly.duckdb';

export type Row = Record<string, unknown>;
type Query = Sql | string;

export interface OpenOptions {
  readOnly?: boolean;
  /** Skip migrations (tests of the migrator itself). */
  skipMigrations?: boolean;
  /** DuckDB settings such as memory_limit or threads. */
  settings?: Record<string, string>;
}

export class Warehouse {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly readOnly: boolean,
  ) {}

  static async open(path: string = DEFAULT_DB_PATH, options: OpenOptions = {}): Promise<Warehouse> {
    const full = path === ':memory:' ? path : resolve(path);
    if (full !== ':memory:' && !options.readOnly) mkdirSync(dirname(full), { recursive: true });
    const settings: Record<string, string> = { ...(options.settings ?? {}) };
    if (options.readOnly) settings['access_mode'] = 'READ_ONLY';
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(full, settings);
    } catch (error) {
      const msg = messageOf(error);
      if (/lock/i.test(msg)) {
        throw new JointlyError(
          'DB_LOCKED',
          `The warehouse ${full} is in use by another process (a running \`jointly serve\`?). ` +
            'Stop it, or point --db at another file.',
          { cause: error },
        );
      }
      if (options.readOnly && /not exist|No such file|Cannot open/i.test(msg)) {
        throw new JointlyError(
          'INPUT_NOT_FOUND',
          `No warehouse at ${full}. Load data first with \`jointly ingest\` or \`jointly demo\`.`,
          { cause: error },
        );
      }
      throw new JointlyError('INTERNAL', `Cannot open the warehouse ${full}: ${msg}`, { cause: error });
    }
    const conn = await instance.connect();
    const wh = new Warehouse(full, instance, conn, options.readOnly ?? false);
    if (!options.readOnly && !options.skipMigrations) await migrate(wh);
    return wh;
  }

  /** Runs a statement (or several separated by `;` when no values are bound). */
  async run(query: Query): Promise<void> {
    const { text, values } = normalise(query);
    try {
      await this.conn.run(text, values.length ? values : undefined);
    } catch (error) {
      throw wrapSqlError(error, text);
    }
  }

  /** Runs a query and returns every row as a JSON-safe object. */
  async all<T extends Row = Row>(query: Query): Promise<T[]> {
    const { text, values } = normalise(query);
    try {
      const reader = await this.conn.runAndReadAll(text, values.length ? values : undefined);
      // Json readers give strings for BIGINT/DECIMAL/timestamps: exact and serialisable.
      return reader.getRowObjectsJson() as T[];
    } catch (error) {
      throw wrapSqlError(error, text);
    }
  }

  /** Like `all` but JS-native values: numbers for DOUBLE/INTEGER, bigint for BIGINT/HUGEINT, Date for timestamps. */
  async allJS<T extends Row = Row>(query: Query): Promise<T[]> {
    const { text, values } = normalise(query);
    try {
      const reader = await this.conn.runAndReadAll(text, values.length ? values : undefined);
      return reader.getRowObjectsJS() as T[];
    } catch (error) {
      throw wrapSqlError(error, text);
    }
  }

  /** First row or undefined. */
  async find<T extends Row = Row>(query: Query): Promise<T | undefined> {
    const rows = await this.all<T>(query);
    return rows[0];
  }

  /** First row or a NOT_FOUND error with the given message. */
  async get<T extends Row = Row>(query: Query, notFound: string): Promise<T> {
    const row = await this.find<T>(query);
    if (!row) throw new JointlyError('NOT_FOUND', notFound);
    return row;
  }

  /** Runs `fn` in one transaction: everything or nothing. */
  async transaction<T>(fn: (wh: Warehouse) => Promise<T>): Promise<T> {
    await this.run('begin transaction');
    try {
      const result = await fn(this);
      await this.run('commit');
      return result;
    } catch (error) {
      try {
        await this.run('rollback');
      } catch {
        // The transaction may already be aborted; the original error is what matters.
      }
      throw error;
    }
  }

  /** The underlying connection, for the Appender and streaming readers. */
  get connection(): DuckDBConnection {
    return this.conn;
  }

  async close(): Promise<void> {
    try {
      this.conn.closeSync();
      this.instance.closeSync();
    } catch {
      // Closing twice is harmless.
    }
  }
}

function normalise(query: Query): { text: string; values: SqlValue[] } {
  return typeof query === 'string' ? { text: query, values: [] } : query;
}

function wrapSqlError(error: unknown, text: string): JointlyError {
  if (error instanceof JointlyError) return error;
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 160);
  return new JointlyError('INTERNAL', `Warehouse query failed: ${messageOf(error)} (in: ${snippet})`, {
    cause: error,
  });
}
