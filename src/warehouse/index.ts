export { Warehouse, DEFAULT_DB_PATH, type Row, type OpenOptions } from './connection.js';
export { sql, raw, type Sql, type SqlValue } from './sql.js';
export * from './tables.js';
export { loadMigrations, migrate } from './migrations/index.js';
export type { Migration } from './migrations/types.js';
