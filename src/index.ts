/**
 * jointly as a library: the warehouse, ingest, models and reports, for use from code.
 */
export * from './core/index.js';
export * from './warehouse/index.js';
