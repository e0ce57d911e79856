/**
 * The report dimensions and their SQL key expressions over the report tables (aliases: `cf`
 * report.credit_facts, `i` report.involvement, `o` report.opportunity_facts, `p` core.partners,
 * `a` core.activities, `c` the activity-cost rows). A closed set: no user text reaches the SQL.
 */
export const REPORT_DIMENSIONS = [
  'partner', 'partner_type', 'program', 'activity', 'activity_type', 'channel', 'month', 'quarter',
] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

export interface DimensionSql {
  credit: string;
  involvement: string;
  baseline: string | null;
  cost: string | null;
  name: string;
  /** Only partner touches count in attributed figures (time dimensions). */
  partnerOnly: boolean;
}

const month = (x: string) => `strftime(${x}, '%Y-%m')`;
const quarter = (x: string) => `(year(${x})::VARCHAR || '-Q' || quarter(${x})::VARCHAR)`;

export const DIMENSION_SQL: Record<ReportDimension, DimensionSql> = {
  partner: { credit: 'cf.partner_id', involvement: 'i.partner_id', baseline: null, cost: 'c.partner_id', name: 'p.name', partnerOnly: false },
  partner_type: { credit: 'p.partner_type', involvement: 'p.partner_type', baseline: null, cost: 'p.partner_type', name: 'p.partner_type', partnerOnly: false },
  program: { credit: 'a.program', involvement: 'a.program', baseline: null, cost: 'c.program', name: 'a.program', partnerOnly: false },
  activity: { credit: 'cf.activity_id', involvement: 'i.activity_id', baseline: null, cost: 'c.activity_id', name: 'a.name', partnerOnly: false },
  activity_type: { credit: 'a.activity_type', involvement: 'a.activity_type', baseline: null, cost: 'c.activity_type', name: 'a.activity_type', partnerOnly: false },
  channel: { credit: 'cf.channel', involvement: 'i.channel', baseline: null, cost: null, name: 'cf.channel', partnerOnly: false },
  month: { credit: month('cf.day'), involvement: month('o.created_date'), baseline: month('o.created_date'), cost: null, name: month('cf.day'), partnerOnly: true },
  quarter: { credit: quarter('cf.day'), involvement: quarter('o.created_date'), baseline: quarter('o.created_date'), cost: null, name: quarter('cf.day'), partnerOnly: true },
};
