/**
 * Reuses route answers while the warehouse's data stays the same. While `jointly serve` runs it
 * is the only writer of its DuckDB file, and it writes nothing that reports read (only the
 * access and audit logs), so an answer stays right until a new load batch, model run or check
 * run appears. The data version is those four counters, read at most once per `versionTtlMs`
 * so a request never waits on more than one small query.
 *
 * @example
 * const cache = new AnswerCache(wh);
 * const result = await cache.get(key, () => route.run(ctx, params, query));
 */
import { sql, type Warehouse } from '../warehouse/index.js';

const VERSION_SQL = sql`
  select (select coalesce(max(run_id), 0) from meta.runs)::varchar || '/' ||
         (select coalesce(max(batch_id), 0) from meta.batches)::varchar || '/' ||
         (select count(*) from meta.runs where status = 'succeeded')::varchar || '/' ||
         (select coalesce(max(check_run_id), 0) from meta.check_runs)::varchar as version`;

export class AnswerCache<T> {
  private readonly entries = new Map<string, T>();
  private version = '';
  private checkedAt = 0;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly wh: Warehouse,
    private readonly maxEntries = 2000,
    private readonly versionTtlMs = 1000,
  ) {}

  private async refreshVersion(): Promise<void> {
    if (Date.now() - this.checkedAt < this.versionTtlMs) return;
    this.checking ??= (async () => {
      const row = await this.wh.find<{ version: string }>(VERSION_SQL);
      const v = row?.version ?? '';
      if (v !== this.version) {
        this.entries.clear();
        this.version = v;
      }
      this.checkedAt = Date.now();
    })().finally(() => {
      this.checking = undefined;
    });
    await this.checking;
  }

  /** The cached answer for `key`, or computes, stores and returns it. Errors are not cached. */
  async get(key: string, compute: () => Promise<T>): Promise<T> {
    await this.refreshVersion();
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Refresh recency (Map keeps insertion order: oldest first).
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = await compute();
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
