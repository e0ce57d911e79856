/**
 * Warehouse-wide settings that must not change between loads, starting with the base currency
 * that every `<money>_base` column is expressed in (ingest records it on the first load and
 * refuses a different one later).
 */
import type { Migration } from './types.js';

export const ingestSettings: Migration = {
  version: 2,
  name: 'ingest: meta.settings (base currency)',
  async up(wh) {
    await wh.run(`create table if not exists meta.settings (
      key VARCHAR primary key,
      value VARCHAR not null,
      set_at TIMESTAMP not null
    )`);
  },
};
