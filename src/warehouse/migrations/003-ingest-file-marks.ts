/**
 * Ingest: what the fast reload needs to know about each loaded file besides meta.batch_files
 * (which now carries file_sha256): the row count of the core table right after the file was
 * loaded. A reload of a byte-identical file is only short-cut when core still holds that count
 * and nothing touched the table or its references since (see src/ingest/README.md, "Reload").
 */
import type { Migration } from './types.js';

export const ingestFileMarks: Migration = {
  version: 3,
  name: 'ingest: meta.ingest_file_marks (core row count after each file, for the fast reload)',
  async up(wh) {
    await wh.run(`create table if not exists meta.ingest_file_marks (
      batch_id INTEGER not null,
      file VARCHAR not null,
      table_name VARCHAR not null,
      file_sha256 VARCHAR not null,
      core_rows_after BIGINT not null
    )`);
  },
};
