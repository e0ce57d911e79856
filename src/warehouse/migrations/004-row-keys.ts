/**
 * Row keys: every version of a core row gets a BIGINT `row_key` from one sequence when it is
 * inserted (ingest and direct inserts alike, by the column default). A replaced version keeps its
 * key in `core.<table>_history`, so a key names one version of one row for good. Attribution
 * stores credits by these keys (integers are about ten times cheaper to write and join than the
 * string ids at 10M touches) and resolves them to ids through views.
 */
import type { Migration } from './types.js';
import { TABLE_NAMES, ident } from '../tables.js';

export const rowKeys: Migration = {
  version: 4,
  name: 'core: row_key (one BIGINT per row version, from core.row_key_seq) on every core table and its history',
  async up(wh) {
    await wh.run(`create sequence if not exists core.row_key_seq start 1`);
    for (const t of TABLE_NAMES) {
      // Existing rows get their keys from the default as the column is added.
      await wh.run(`alter table core.${ident(t)} add column if not exists row_key BIGINT default nextval('core.row_key_seq')`);
      await wh.run(`alter table core.${ident(t + '_history')} add column if not exists row_key BIGINT`);
    }
  },
};
