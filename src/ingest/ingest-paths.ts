/**
 * `ingestPaths`: one load batch. Files are discovered and their headers checked before anything
 * is written; then the whole batch runs in ONE transaction, file after file in load order. A file
 * that cannot be read fails the batch and leaves the warehouse as it was; the failure alone is
 * recorded afterwards in meta.batches (status 'failed', with the message), outside the data
 * transaction (so is a failure found while checking headers, before the transaction).
 *
 * @example
 * const wh = await Warehouse.open('jointly.duckdb');
 * const result = await ingestPaths(wh, ['demo/']);
 * // { batch_id: 1, files: [{ file: 'demo/partners.csv', table: 'partners', rows_in: 40, loaded: 39, ... }] }
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JointlyError, messageOf } from '../core/errors.js';
import { TABLES, sql, type Warehouse } from '../warehouse/index.js';
import { discoverFiles, type InputFile } from './discover-files.js';
import { fileSha256 } from './file-hash.js';
import { loadFile, type FileCounts } from './load-file.js';
import { tryFastReload } from './reload-shortcut.js';
import { getPiiKey, hmacPads } from './pii-key.js';
import { RawPrefetch } from './raw-prefetch.js';
import { sourceRelation, type SourceRelation } from './source-relation.js';

export interface IngestOptions {
  /** ISO 4217 code of the base currency (default USD; fixed by the first load). */
  baseCurrency?: string;
  /** "Now" for the future-timestamp check (default: the clock). */
  now?: Date;
  /** Called after each file is loaded, inside the transaction (progress; tests inject failures). */
  onFileLoaded?: (counts: FileCounts, index: number, total: number) => void | Promise<void>;
  /** Who loads (recorded in meta.batches). */
  actor?: string;
}

export interface IngestResult {
  batch_id: number;
  files: FileCounts[];
}

async function checkBaseCurrency(wh: Warehouse, wanted: string | undefined): Promise<string> {
  const row = await wh.find<{ value: string }>(`select value from meta.settings where key = 'base_currency'`);
  const requested = wanted?.trim().toUpperCase();
  if (requested !== undefined && !/^[A-Z]{3}$/.test(requested)) {
    throw new JointlyError('BAD_ARGUMENT', `--base-currency expects an ISO 4217 code like USD, got "${wanted}".`);
  }
  if (row) {
    if (requested && requested !== row.value) {
      throw new JointlyError(
        'CONFLICT',
        `This warehouse keeps amounts in ${row.value}; it cannot load in ${requested}. Use a new --db for another base currency.`,
      );
    }
    return row.value;
  }
  return requested ?? 'USD';
}

/** Loads files and folders as one batch; see the module comment. */
export async function ingestPaths(wh: Warehouse, paths: string[], opts: IngestOptions = {}): Promise<IngestResult> {
  const files = discoverFiles(paths);
  const now = opts.now ?? new Date();
  const started = Date.now();
  // Parquet copies of the files being read (see loadFile) and of later files (RawPrefetch).
  const scratchDir = mkdtempSync(join(tmpdir(), 'jointly-ingest-scratch-'));
  let prefetch: RawPrefetch | undefined;
  try {
    const baseCurrency = await checkBaseCurrency(wh, opts.baseCurrency);
    // Headers first: a wrong header fails the batch before anything is written.
    const sources: { file: InputFile; source: SourceRelation }[] = [];
    for (const file of files) sources.push({ file, source: await sourceRelation(wh, file) });
    const withPii = sources.find(({ file, source }) =>
      TABLES[file.table].columns.some((c) => c.pii && source.present.includes(c.name)),
    );
    let hasPiiKey = false;
    if (withPii) {
      const column = TABLES[withPii.file.table].columns.find((c) => c.pii && withPii.source.present.includes(c.name));
      const pads = hmacPads(getPiiKey(withPii.file.display, column?.name ?? 'pii'));
      await wh.run(sql`create or replace temp table ingest_pii_key as select unhex(${pads.ipad}) as ip, unhex(${pads.opad}) as op`);
      hasPiiKey = true;
    }
    // File hashes (for batch_files and the fast reload), one file after the other in the
    // background while DuckDB works on earlier files.
    let chain: Promise<unknown> = Promise.resolve();
    const hashes = sources.map(({ file }) => {
      const h = chain.then(() => fileSha256(file.path));
      chain = h.catch(() => undefined);
      return h;
    });
    // Raw copies ahead (RawPrefetch: another, small DuckDB instance, one file after the other in
    // load order) while the warehouse validates earlier files. The first file copies itself (nothing
    // to overlap with); a file whose bytes were loaded before is left to the fast reload.
    const loadedBefore = new Set(
      (await wh.all<{ k: string }>(`select distinct table_name || ':' || file_sha256 as k from meta.batch_files`)).map((r) => r.k),
    );
    prefetch = sources.slice(1).some(({ source }) => source.raw) ? await RawPrefetch.open() : undefined;
    const ahead = sources.map(({ file, source }, i) => {
      const copier = prefetch;
      const raw = source.raw;
      if (i === 0 || !copier || !raw) return Promise.resolve(undefined);
      // Hashes resolve in file order, so the copies are queued in file order.
      return hashes[i]!.then(
        (sha256) => {
          if (loadedBefore.has(`${file.table}:${sha256}`)) return undefined;
          const target = join(scratchDir, `raw-file-${i}.parquet`);
          return { file: target, ready: copier.copy(raw, target) };
        },
        () => undefined,
      );
    });
    return await wh.transaction(async (tx) => {
      const idRow = await tx.get<{ id: number }>(`select nextval('meta.batch_seq')::integer as id`, 'no batch id');
      const batchId = idRow.id;
      await tx.run(sql`insert into meta.batches values (${batchId}, now()::timestamp, null, 'running', ${opts.actor ?? null}, null)`);
      await tx.run(sql`insert into meta.settings values ('base_currency', ${baseCurrency}, now()::timestamp) on conflict do nothing`);
      const results: FileCounts[] = [];
      for (const [i, { file, source }] of sources.entries()) {
        const sha256 = await hashes[i]!;
        const prefetched = await ahead[i];
        const counts =
          (await tryFastReload(tx, file, sha256, { batchId, now })) ??
          (await loadFile(tx, { ...file, sha256 }, source, {
            batchId, baseCurrency, now, hasPiiKey, scratchDir, ...(prefetched ? { prefetched } : {}),
          }));
        results.push(counts);
        await opts.onFileLoaded?.(counts, i, sources.length);
      }
      await tx.run(sql`update meta.batches set status = 'loaded', finished_at = now()::timestamp,
        message = ${`${results.length} files in ${Date.now() - started} ms`} where batch_id = ${batchId}`);
      return { batch_id: batchId, files: results };
    });
  } catch (error) {
    await recordFailure(wh, error, opts.actor);
    throw error;
  } finally {
    // A copy still running (the batch failed) is stopped before its folder goes.
    await prefetch?.close({ interrupt: true });
    rmSync(scratchDir, { recursive: true, force: true });
    await wh.run('drop table if exists ingest_pii_key');
  }
}

async function recordFailure(wh: Warehouse, error: unknown, actor: string | undefined): Promise<void> {
  try {
    const id = await wh.get<{ id: number }>(`select nextval('meta.batch_seq')::integer as id`, 'no batch id');
    await wh.run(sql`insert into meta.batches values (${id.id}, now()::timestamp, now()::timestamp, 'failed', ${actor ?? null}, ${messageOf(error).slice(0, 2000)})`);
  } catch {
    // Recording the failure must never hide the failure itself.
  }
}
