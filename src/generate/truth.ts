/**
 * The shape of `truth.json` and its assembly from the simulator's tallies. Money is in the base
 * currency (USD) as decimal strings; expected values are rounded to cents. See README.md.
 */
import { fromMinor } from '../core/index.js';
import { AS_OF, MONTHS, dateStr, HISTORY_START_DAY, monthLabel, MONTH_START } from './calendar.js';
import { COHORT_PARAMS, HEALTH, PROGRAMS, type Scale } from './catalog.js';
import type { PartnerSim } from './build-company.js';
import {
  ANOMALY,
  EXPERIMENT,
  MODEL,
  type AccountSimulator,
  type AwkwardRow,
  type CohortTally,
  type PartnerTally,
  churnIntercept,
} from './simulate-accounts.js';
import type { DirtyRow, FileSummary } from './table-writer.js';

/** The planted renewal signal (latent health → usage and churn) and its realised counts. */
export interface RenewalTruth {
  description: string;
  health: string;
  health_effect_log_odds: number;
  usage_log_sd: number;
  adoption_intercept: number;
  adoption_slope: number;
  /** Per cohort: the population churn share and the log-odds c at health 0 that gives it. */
  base_churn: Record<'partner_sourced' | 'direct', { annual_churn_probability: number; mid_term_log_odds: number; non_renewal_log_odds: number }>;
  realised: {
    customers: number;
    closed_renewals: number;
    lost_renewals: number;
    mid_term_churns: number;
    mean_health_renewed: number | null;
    mean_health_lost: number | null;
  };
}

/** Planted effect and its realised size for one partner or program. */
export interface EffectTruth {
  open_lift: number;
  win_lift: number;
  deal_size_multiplier: number;
  engaged_accounts: number;
  /**
   * Σ over engaged accounts and months after engagement of E[world with effect − without].
   * Pipeline: new-business amount by month of creation; revenue: the won amount of those deals,
   * counted in their creation month, only if they closed before as-of (not effects realised
   * later). That is observable in the files and what a user wants measured, so the estimator
   * (src/incrementality) targets exactly this, weighting recent months by how much of their
   * pipeline has closed, rather than the truth being redefined.
   */
  expected_incremental_pipeline: string;
  expected_incremental_revenue: string;
  /** Same sums over the realised draws (common random numbers in both worlds). */
  realised_incremental_pipeline: string;
  realised_incremental_revenue: string;
  /** Average effect on the treated: realised incremental / engaged accounts. */
  att_pipeline_per_account: string;
  att_revenue_per_account: string;
  expected_att_revenue_per_account: string;
  observed_pipeline: string;
  observed_revenue: string;
  counterfactual_pipeline: string;
  counterfactual_revenue: string;
  observed_opportunities: number;
  counterfactual_opportunities: number;
  observed_wins: number;
  counterfactual_wins: number;
}

export interface PartnerTruth extends EffectTruth {
  partner_id: string;
  name: string;
  partner_type: string;
  tier: string;
  region: string;
  aliases: string[];
  program: string;
  strength: number;
}

export interface ProgramTruth extends EffectTruth {
  program: string;
  activity_types: string[];
  partners: string[];
}

export interface Truth {
  generator: {
    version: 1;
    seed: number;
    scale: Scale;
    as_of: string;
    history_start: string;
    base_currency: 'USD';
    dirty_fraction: number;
  };
  files: Record<string, Omit<FileSummary, 'table'> & { table: string }>;
  counts: Record<string, number>;
  model: typeof MODEL & { effect_starts: string };
  programs: ProgramTruth[];
  partners: PartnerTruth[];
  confounding: Record<string, unknown>;
  experiments: Record<string, unknown>[];
  anomalies: Record<string, unknown>[];
  cohorts: {
    definition: string;
    params: typeof COHORT_PARAMS;
    realised: { partner_sourced: CohortTally; direct: CohortTally };
  };
  renewal: RenewalTruth;
  identities: {
    partner_aliases: { partner_id: string; aliases: string[]; uses: number }[];
    account_duplicates: { account_id: string; duplicate_account_id: string; domain: string; duplicate_domain: string }[];
  };
  dirty_rows: DirtyRow[];
  awkward_rows: AwkwardRow[];
}

const money = (cents: number): string => fromMinor(BigInt(Math.round(cents)));
const perAccount = (cents: number, n: number): string => (n ? money(cents / n) : '0.00');

function effect(t: PartnerTally, lifts: { open_lift: number; win_lift: number; deal_size_multiplier: number }): EffectTruth {
  return {
    ...lifts,
    engaged_accounts: t.engaged,
    expected_incremental_pipeline: money(t.expectedPipeline),
    expected_incremental_revenue: money(t.expectedRevenue),
    realised_incremental_pipeline: money(t.observedPipeline - t.counterfactualPipeline),
    realised_incremental_revenue: money(t.observedRevenue - t.counterfactualRevenue),
    att_pipeline_per_account: perAccount(t.observedPipeline - t.counterfactualPipeline, t.engaged),
    att_revenue_per_account: perAccount(t.observedRevenue - t.counterfactualRevenue, t.engaged),
    expected_att_revenue_per_account: perAccount(t.expectedRevenue, t.engaged),
    observed_pipeline: money(t.observedPipeline),
    observed_revenue: money(t.observedRevenue),
    counterfactual_pipeline: money(t.counterfactualPipeline),
    counterfactual_revenue: money(t.counterfactualRevenue),
    observed_opportunities: t.observedOpportunities,
    counterfactual_opportunities: t.counterfactualOpportunities,
    observed_wins: t.observedWins,
    counterfactual_wins: t.counterfactualWins,
  };
}

export function buildTruth(o: {
  seed: number;
  scale: Scale;
  dirtyFraction: number;
  sim: AccountSimulator;
  partners: readonly PartnerSim[];
  files: FileSummary[];
  dirty: DirtyRow[];
  awkward: AwkwardRow[];
  extraCounts: Record<string, number>;
}): Truth {
  const { sim, partners } = o;
  const partnerTruth: PartnerTruth[] = partners.map((p) => {
    const t = sim.partnerTally[p.index];
    if (!t) throw new Error(`no tally for ${p.id}`);
    return {
      partner_id: p.id,
      name: p.name,
      partner_type: p.type,
      tier: p.tier,
      region: p.region,
      aliases: p.aliases,
      program: p.program.name,
      strength: p.strength,
      ...effect(t, { open_lift: p.openLift, win_lift: p.winLift, deal_size_multiplier: p.dealSizeMultiplier }),
    };
  });
  const programs: ProgramTruth[] = PROGRAMS.map((prog, k) => {
    const members = partners.filter((p) => p.programIndex === k);
    const sum = members.reduce((acc, p) => {
      const t = sim.partnerTally[p.index];
      if (!t) return acc;
      for (const key of TALLY_KEYS) acc[key] += t[key];
      return acc;
    }, blankTally());
    return {
      program: prog.name,
      activity_types: [...prog.activityTypes],
      partners: members.map((p) => p.id),
      ...effect(sum, { open_lift: prog.openLift, win_lift: prog.winLift, deal_size_multiplier: prog.dealSizeMultiplier }),
    };
  });
  const ep = sim.experimentPartner;
  const { treatment, control } = sim.arms;
  const arm = (a: typeof treatment) => ({
    accounts: a.accounts,
    opportunities: a.opportunities,
    wins: a.wins,
    pipeline: money(a.pipeline),
    revenue: money(a.revenue),
    expected_opportunities: round4(a.expectedOpportunities),
    expected_pipeline: money(a.expectedPipeline),
    expected_revenue: money(a.expectedRevenue),
  });
  const ce = sim.confounding.engaged;
  const cn = sim.confounding.not_engaged;
  const dropPartner = sim.dropPartner;
  const touchesIn = (m: number) => sim.partnerTouches[dropPartner.index * MONTHS + m] ?? 0;
  const baseline = (touchesIn(ANOMALY.month - 1) + touchesIn(ANOMALY.month - 2) + touchesIn(ANOMALY.month - 3)) / 3;
  return {
    generator: {
      version: 1,
      seed: o.seed,
      scale: o.scale,
      as_of: AS_OF,
      history_start: dateStr(HISTORY_START_DAY),
      base_currency: 'USD',
      dirty_fraction: o.dirtyFraction,
    },
    files: Object.fromEntries(o.files.map((f) => [f.table, f])),
    counts: { ...sim.counts, ...o.extraCounts },
    model: { ...MODEL, effect_starts: 'first day of the month after the engagement began' },
    programs,
    partners: partnerTruth,
    confounding: {
      description:
        'Engagement propensity rises with company size and activity, which also raise the base chance to open and win and the deal size: a naive engaged-vs-not comparison overstates the effect. Experiment-pool accounts are excluded here.',
      engaged_accounts: ce.accounts,
      not_engaged_accounts: cn.accounts,
      mean_employees_engaged: round4(ce.accounts ? ce.employees / ce.accounts : 0),
      mean_employees_not_engaged: round4(cn.accounts ? cn.employees / cn.accounts : 0),
      naive_pipeline_per_account_engaged: perAccount(ce.pipeline, ce.accounts),
      naive_pipeline_per_account_not_engaged: perAccount(cn.pipeline, cn.accounts),
    },
    experiments: [
      {
        experiment_id: EXPERIMENT.experiment_id,
        program: EXPERIMENT.program,
        partner_id: ep.id,
        assigned_at: `${dateStr(EXPERIMENT.assignedDay)}T09:00:00Z`,
        effect_from: dateStr(MONTH_START[EXPERIMENT.effectMonth] ?? 0),
        window_end: AS_OF,
        assignment: 'accounts drawn at random (independent of size and activity), 50/50 treatment/control; treatment accounts engage with the partner from assigned_at, control accounts get no partner engagement',
        true_open_lift: ep.openLift,
        true_win_lift: ep.winLift,
        true_deal_size_multiplier: ep.dealSizeMultiplier,
        metric_definition: 'new_business opportunities created in [effect_from, window_end); revenue = their won amount closed before window_end; money in USD',
        treatment: arm(treatment),
        control: arm(control),
        treatment_without_effect: {
          opportunities: treatment.cfOpportunities,
          wins: treatment.cfWins,
          pipeline: money(treatment.cfPipeline),
          revenue: money(treatment.cfRevenue),
        },
        realised_incremental_pipeline: money(treatment.pipeline - treatment.cfPipeline),
        realised_incremental_revenue: money(treatment.revenue - treatment.cfRevenue),
      },
    ],
    anomalies: [
      {
        kind: 'engagement_drop',
        partner_id: dropPartner.id,
        partner_name: dropPartner.name,
        month: monthLabel(ANOMALY.month),
        keep_fraction: ANOMALY.keepFraction,
        partner_touches_in_month: touchesIn(ANOMALY.month),
        baseline_touches_per_month: round4(baseline),
        description: 'Partner touches of this partner in this month are thinned to keep_fraction of normal (planted for alerts).',
      },
    ],
    cohorts: {
      definition: 'A customer is an account with a won new_business opportunity closed before as_of; partner_sourced when that opportunity has a sourced_partner_id.',
      params: COHORT_PARAMS,
      realised: sim.cohorts,
    },
    renewal: renewalTruth(sim),
    identities: {
      partner_aliases: partners
        .filter((p) => p.aliases.length)
        .map((p) => ({ partner_id: p.id, aliases: p.aliases, uses: sim.aliasUses[p.index] ?? 0 })),
      account_duplicates: sim.duplicates,
    },
    dirty_rows: o.dirty,
    awkward_rows: o.awkward,
  };
}

const TALLY_KEYS = [
  'engaged',
  'expectedPipeline',
  'expectedRevenue',
  'observedPipeline',
  'observedRevenue',
  'counterfactualPipeline',
  'counterfactualRevenue',
  'observedOpportunities',
  'counterfactualOpportunities',
  'observedWins',
  'counterfactualWins',
] as const satisfies readonly (keyof PartnerTally)[];

function blankTally(): PartnerTally {
  return {
    engaged: 0,
    expectedPipeline: 0,
    expectedRevenue: 0,
    observedPipeline: 0,
    observedRevenue: 0,
    counterfactualPipeline: 0,
    counterfactualRevenue: 0,
    observedOpportunities: 0,
    counterfactualOpportunities: 0,
    observedWins: 0,
    counterfactualWins: 0,
  };
}

function renewalTruth(sim: AccountSimulator): RenewalTruth {
  const r = sim.renewals;
  const cohort = (p: number) => ({
    annual_churn_probability: p,
    mid_term_log_odds: round4(churnIntercept(p * COHORT_PARAMS.mid_term_share)),
    non_renewal_log_odds: round4(churnIntercept(p * (1 - COHORT_PARAMS.mid_term_share))),
  });
  const renewed = r.closed_renewals - r.lost_renewals;
  return {
    description:
      'Each account has a latent health h ~ N(0,1); it raises usage (events per month × exp(usage_log_sd·h − usage_log_sd²/2), more of the catalogue used) and lowers churn: P(churn) = logistic(c − health_effect_log_odds·h) at mid-term and at each renewal.',
    health: 'standard normal, one per account, from its own random stream; not written to any file',
    health_effect_log_odds: HEALTH.health_effect_log_odds,
    usage_log_sd: HEALTH.usage_log_sd,
    adoption_intercept: HEALTH.adoption_intercept,
    adoption_slope: HEALTH.adoption_slope,
    base_churn: { partner_sourced: cohort(COHORT_PARAMS.partner_sourced.annual_churn_probability), direct: cohort(COHORT_PARAMS.direct.annual_churn_probability) },
    realised: {
      customers: r.customers,
      closed_renewals: r.closed_renewals,
      lost_renewals: r.lost_renewals,
      mid_term_churns: r.mid_term_churns,
      mean_health_renewed: renewed ? round4(r.health_sum_renewed / renewed) : null,
      mean_health_lost: r.lost_renewals ? round4(r.health_sum_lost / r.lost_renewals) : null,
    },
  };
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
