/**
 * Demo data with planted ground truth. See README.md for the files and the shape of truth.json.
 *
 * @example
 * import { generateDemoData } from './generate/index.js';
 * await generateDemoData({ seed: 7, scale: 'small', outDir: '/tmp/demo' });
 */
export { generateDemoData, type GenerateOptions, type GenerateSummary } from './generate-demo-data.js';
export { SCALES, SCALE_PARAMS, PROGRAMS, COHORT_PARAMS, type Scale, type ProgramSpec } from './catalog.js';
export { DIRTY_KINDS, DIRTY_RULES, type DirtyKind } from './dirty-rules.js';
export type { DirtyRow, FileSummary } from './table-writer.js';
export type { Truth, PartnerTruth, ProgramTruth, EffectTruth } from './truth.js';
export type { AwkwardRow } from './simulate-accounts.js';
export { AS_OF } from './calendar.js';
