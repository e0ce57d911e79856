/**
 * Report queries over attribution runs, shared by the CLI and the HTTP API (see README.md).
 */
export { findLatestRun, getLatestRun, type RunInfo } from './find-latest-run.js';
export { getAttributionReport, type AttributionReportRow, type ReportFilter } from './get-attribution-report.js';
export { getSourcedInfluenced, type SourcedInfluencedRow } from './get-sourced-influenced.js';
export { explainOpportunity, type Explanation, type ExplainedTouch } from './explain-opportunity.js';
export { compareModels, type ModelComparison } from './compare-models.js';
export { getOverview, type Overview } from './get-overview.js';
export { listDeals, type DealRow, type DealPage } from './list-deals.js';
export { REPORT_DIMENSIONS, type ReportDimension } from './dimensions.js';
