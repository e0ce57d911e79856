/**
 * jointly as a library: the warehouse, ingest, models and reports, for use from code. Each domain
 * is a namespace, so names never collide across domains.
 *
 * @example
 * import { Warehouse, ingest, attribution, reports } from 'jointly';
 * const wh = await Warehouse.open('jointly.duckdb');
 * await ingest.ingestPaths(wh, ['data/']);
 * await attribution.runAttribution(wh, { model: 'linear' });
 * console.log(await reports.getAttributionReport(wh, { model: 'linear', by: 'partner' }));
 */
export * from './core/index.js';
export * from './warehouse/index.js';
export * as generate from './generate/index.js';
export * as ingest from './ingest/index.js';
export * as attribution from './attribution/index.js';
export * as reports from './reports/index.js';
export * as incrementality from './incrementality/index.js';
export * as customers from './customers/index.js';
export * as governance from './governance/index.js';
export * as finance from './finance/index.js';
export * as engagement from './engagement/index.js';
export * as api from './api/index.js';
