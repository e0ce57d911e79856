/**
 * Ingest: files -> validated, resolved, deduplicated rows in `core`, bad rows in `meta.quarantine`.
 * See README.md for the rules (dates, signs, identity, PII, currency, transactions).
 *
 * @example
 * import { ingestPaths, listQuarantine } from '../ingest/index.js';
 * const { batch_id, files } = await ingestPaths(wh, ['data/']);
 * const bad = await listQuarantine(wh, { batchId: batch_id });
 */
export { ingestPaths, type IngestOptions, type IngestResult } from './ingest-paths.js';
export { listQuarantine, countQuarantine, type QuarantinedRow, type ListQuarantineOptions } from './list-quarantine.js';
export { discoverFiles, type InputFile } from './discover-files.js';
export { hmacPads, PII_KEY_ENV } from './pii-key.js';
export { REASON_CODES, type ReasonCode } from './reason-codes.js';
export type { FileCounts } from './load-file.js';
