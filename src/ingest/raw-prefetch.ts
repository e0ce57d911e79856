/**
 * Makes the raw copy of the next file (CSV/NDJSON -> Parquet in file order, see
 * SourceRelation.raw) while the warehouse validates the current one. The copy only reads a source
 * file and writes a scratch file, so it runs in a small DuckDB instance of its own (in memory, one
 * thread, its own memory limit), outside the batch's transaction: statements of the validation
 * that leave a core idle (hash table builds, small files, ordered writes) leave it to the copy.
 * Copies run one at a time, in load order.
 *
 * Not prefetched: Parquet input (no raw copy) and files whose bytes were loaded before (the fast
 * reload usually skips their copy; loadFile copies them itself when it does not).
 *
 * @example
 * const prefetch = await RawPrefetch.open();
 * const ready = prefetch.copy(source.raw!, '/tmp/scratch/raw-7-3.parquet');
 * await ready; // rejects with the reader's error (unreadable file) as loadFile's own copy would
 * await prefetch.close();
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from './source-relation.js';

/** Settings of the copying instance: one thread next to the warehouse's, little memory (the copy streams). */
const SETTINGS = { threads: '1', memory_limit: '256MB', preserve_insertion_order: 'true' };

export class RawPrefetch {
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  static async open(): Promise<RawPrefetch> {
    const instance = await DuckDBInstance.create(':memory:', SETTINGS);
    return new RawPrefetch(instance, await instance.connect());
  }

  /** Queues `copy (<raw>) to '<target>'` after the copies queued before; resolves when written. */
  copy(raw: string, target: string): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.stopped) throw new Error('raw copy not made: the batch stopped');
      await this.conn.run(`copy (${raw}) to ${sqlString(target)} (format parquet, compression snappy)`);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Waits for the queued copies (their errors belong to whoever awaits them) and closes the
   * instance; with `interrupt` (the batch failed) the running copy is stopped first.
   */
  async close(opts: { interrupt?: boolean } = {}): Promise<void> {
    if (opts.interrupt) this.stopped = true;
    if (opts.interrupt) this.conn.interrupt();
    await this.chain;
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
