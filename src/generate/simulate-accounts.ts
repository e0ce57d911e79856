/**
 * The per-account simulation: firmographics, contacts, partner engagement (confounded with size
 * and activity), new-business opportunities simulated in two worlds with common random numbers
 * (with and without the engaged partner's effect), stage histories, customers' revenue schedules,
 * renewals, expansion, contraction and churn, usage, touchpoints, experiments and feedback.
 *
 * Every account draws from its own random stream, and rows stream straight into the table
 * writers, so memory stays flat however many accounts there are.
 */
import {
  AS_OF_DAY,
  HISTORY_START_DAY,
  MONTHS,
  MONTH_START,
  addMonths,
  centsStr,
  dateStr,
  monthOf,
  spreadsheetTsStr,
  tsStr,
  usDateStr,
} from './calendar.js';
import {
  ACTIVITY_TOUCH_TYPES,
  CHANNELS,
  CHANNEL_TOUCH_TYPES,
  CHANNEL_WEIGHTS,
  COHORT_PARAMS,
  CONTACT_ROLES,
  FIRST_NAMES,
  HEALTH,
  INDUSTRIES,
  LAST_NAMES,
  LEAD_SOURCES,
  NAME_A,
  NAME_B,
  NAME_SUFFIX,
  OWNERS,
  PRODUCTS,
  REGIONS,
  REGION_WEIGHTS,
  SOURCE_SYSTEMS,
  TITLES,
  USAGE_EVENTS,
  type ScaleParams,
} from './catalog.js';
import { activityIndexAt, type Currency, type Fx, type PartnerSim } from './build-company.js';
import { Rng, STREAM, logistic } from './prng.js';
import { csvField, type TableWriter } from './table-writer.js';
import type { TableName, TouchType } from '../warehouse/index.js';

export type SimTable = Exclude<TableName, 'fx_rates'>;
export type SimWriters = Record<SimTable, TableWriter>;

/** Planted coefficients of the confounded engagement and of the base outcome models. */
export const MODEL = {
  engagement: { intercept: -1.8, size: 0.9, activity: 0.7 },
  open: { intercept: -3.8, size: 0.45, activity: 0.45, cap: 0.5 },
  win: { intercept: -1.4, size: 0.25, activity: 0.25, cap: 0.95 },
  /** Base annual contract value: USD 15,000 at 100 employees, elasticity 0.45, noise sd 0.35. */
  dealSize: { usdAt100Employees: 15_000, elasticity: 0.45, noiseSd: 0.35 },
  cycleDays: { min: 30, max: 180 },
  experimentPoolShare: 0.06,
  duplicateAccountShare: 0.005,
  aliasUseShare: 0.1,
  /** An engaged account's effect starts on the first day of the month after engagement began. */
} as const;

export const EXPERIMENT = {
  experiment_id: 'EXP-COSELL-2025',
  program: 'Co-sell Accelerator',
  assignedDay: Date.UTC(2025, 7, 25) / 86_400_000,
  /** Month index whose first day the effect starts (2025-09-01). */
  effectMonth: 16,
} as const;

/** Engagement drop for alerts: the first gold partner that does not run the experiment. */
export const ANOMALY = { month: 25, keepFraction: 0.15 } as const;

const STAGES = ['Qualification', 'Discovery', 'Proposal', 'Negotiation'] as const;

/** Per-partner truth accumulators (money in integer USD cents, expected values as floats). */
export class PartnerTally {
  engaged = 0;
  expectedPipeline = 0;
  expectedRevenue = 0;
  observedPipeline = 0;
  observedRevenue = 0;
  counterfactualPipeline = 0;
  counterfactualRevenue = 0;
  observedOpportunities = 0;
  counterfactualOpportunities = 0;
  observedWins = 0;
  counterfactualWins = 0;
}

export interface ArmTally {
  accounts: number;
  opportunities: number;
  wins: number;
  pipeline: number;
  revenue: number;
  expectedOpportunities: number;
  expectedPipeline: number;
  expectedRevenue: number;
  /** Treatment only: the same accounts without the effect (common random numbers). */
  cfOpportunities: number;
  cfWins: number;
  cfPipeline: number;
  cfRevenue: number;
}

function armTally(): ArmTally {
  return { accounts: 0, opportunities: 0, wins: 0, pipeline: 0, revenue: 0, expectedOpportunities: 0, expectedPipeline: 0, expectedRevenue: 0, cfOpportunities: 0, cfWins: 0, cfPipeline: 0, cfRevenue: 0 };
}

export interface CohortTally {
  customers: number;
  churned: number;
  churned_mid_term: number;
  not_renewed: number;
  renewals: number;
  expansions: number;
}
function cohortTally(): CohortTally {
  return { customers: 0, churned: 0, churned_mid_term: 0, not_renewed: 0, renewals: 0, expansions: 0 };
}

/** Realised renewal plant: closed renewal opportunities by outcome and the mean health of each. */
export interface RenewalTally {
  customers: number;
  closed_renewals: number;
  lost_renewals: number;
  mid_term_churns: number;
  health_sum_renewed: number;
  health_sum_lost: number;
}

const interceptCache = new Map<number, number>();

/**
 * Log-odds c such that the mean over h ~ N(0, 1) of logistic(c − b·h) is p (b =
 * HEALTH.health_effect_log_odds): the cohort probabilities stay the population's churn rates.
 * Midpoint rule on [−8, 8] and bisection; deterministic.
 */
export function churnIntercept(p: number): number {
  const cached = interceptCache.get(p);
  if (cached !== undefined) return cached;
  const b = HEALTH.health_effect_log_odds;
  const mean = (c: number): number => {
    let s = 0;
    let wsum = 0;
    for (let k = 0; k < 1600; k++) {
      const h = -8 + (k + 0.5) * 0.01;
      const w = Math.exp(-(h * h) / 2);
      s += w * logistic(c - b * h);
      wsum += w;
    }
    return s / wsum;
  };
  let lo = -30;
  let hi = 30;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (mean(mid) < p) lo = mid;
    else hi = mid;
  }
  const c = (lo + hi) / 2;
  interceptCache.set(p, c);
  return c;
}

/** P(churn) of a customer of health h in a cohort whose population churn probability is p. */
export function churnProbability(p: number, h: number): number {
  if (p <= 0) return 0;
  return logistic(churnIntercept(p) - HEALTH.health_effect_log_odds * h);
}

export interface AwkwardRow {
  table: TableName;
  file: string;
  line: number;
  column: string;
  form: string;
}

export interface SimOptions {
  seed: number;
  params: ScaleParams;
  partners: PartnerSim[];
  fx: Fx;
  w: SimWriters;
}

const USD_ONLY: readonly Currency[] = ['USD'];
const CURRENCY_OF_REGION: Record<string, readonly Currency[]> = {
  NA: ['USD', 'USD', 'USD', 'USD', 'CAD'],
  EMEA: ['EUR', 'EUR', 'GBP'],
  APAC: ['USD'],
  LATAM: ['USD'],
};

/** P(an opportunity created in month m closes before as-of), for the expected-revenue truth. */
function closeProbabilities(): number[] {
  const { min, max } = MODEL.cycleDays;
  return Array.from({ length: MONTHS }, (_, m) => {
    const start = MONTH_START[m] ?? 0;
    const days = (MONTH_START[m + 1] ?? start + 30) - start;
    let hit = 0;
    for (let d = 0; d < days; d++) {
      const day = Math.min(start + d, AS_OF_DAY - 1);
      for (let c = min; c <= max; c++) if (day + c < AS_OF_DAY) hit++;
    }
    return hit / (days * (max - min + 1));
  });
}

export class AccountSimulator {
  readonly partnerTally: PartnerTally[];
  readonly arms = { treatment: armTally(), control: armTally() };
  readonly cohorts = { partner_sourced: cohortTally(), direct: cohortTally() };
  readonly renewals: RenewalTally = { customers: 0, closed_renewals: 0, lost_renewals: 0, mid_term_churns: 0, health_sum_renewed: 0, health_sum_lost: 0 };
  /** Latent health of the account being simulated (drawn from its own stream, see HEALTH). */
  private health = 0;
  readonly confounding = {
    engaged: { accounts: 0, pipeline: 0, employees: 0 },
    not_engaged: { accounts: 0, pipeline: 0, employees: 0 },
  };
  /** Partner touches per partner per month (for the engagement-drop truth). */
  readonly partnerTouches: Int32Array;
  readonly aliasUses: Int32Array;
  readonly duplicates: { account_id: string; duplicate_account_id: string; domain: string; duplicate_domain: string }[] = [];
  readonly awkward: AwkwardRow[] = [];
  readonly counts = { accounts: 0, contacts: 0, touchpoints: 0, opportunities: 0, new_business: 0, won_new_business: 0, closed_new_business: 0, revenue_lines: 0, usage: 0, feedback: 0, experiment_assignments: 0, engaged_accounts: 0 };
  readonly experimentPartner: PartnerSim;
  readonly dropPartner: PartnerSim;
  private readonly closeProb = closeProbabilities();
  private readonly regionCum: Map<string, Float64Array> = new Map();
  private nTouch = 0;
  private dropCandidates = 0;
  private nOpp = 0;
  private nContact = 0;
  private nRevenue = 0;
  private nFeedback = 0;

  constructor(private readonly o: SimOptions) {
    const P = o.partners.length;
    this.partnerTally = o.partners.map(() => new PartnerTally());
    this.partnerTouches = new Int32Array(P * MONTHS);
    this.aliasUses = new Int32Array(P);
    // The experiment runs with the program's partner of strength closest to 1 (a moderate,
    // non-zero effect), so it is neither trivial to detect nor empty.
    const candidates = o.partners.filter((p) => p.program.name === EXPERIMENT.program && p.strength > 0);
    let best = candidates[0] ?? o.partners.find((p) => p.program.name === EXPERIMENT.program);
    for (const p of candidates) if (best && Math.abs(p.strength - 1) < Math.abs(best.strength - 1)) best = p;
    if (!best) throw new Error('the experiment needs a Co-sell Accelerator partner');
    this.experimentPartner = best;
    const gold = o.partners.filter((p) => p.tier === 'gold' && p !== best);
    const drop = gold[0] ?? o.partners.find((p) => p !== best);
    if (!drop) throw new Error('the engagement drop needs a second partner');
    this.dropPartner = drop;
    for (const region of REGIONS) {
      const cum = new Float64Array(P);
      let acc = 0;
      o.partners.forEach((p, k) => {
        acc += p.reach * (p.region === region ? 4 : p.region === 'Global' ? 2 : 0.5);
        cum[k] = acc;
      });
      this.regionCum.set(region, cum);
    }
  }

  run(onProgress?: (done: number) => void): void {
    const n = this.o.params.accounts;
    for (let i = 0; i < n; i++) {
      this.account(i);
      if (onProgress && (i & 0x3fff) === 0) onProgress(i);
    }
    this.partnerFeedback();
  }

  private partnerRef(p: PartnerSim, rng: Rng): string {
    if (p.aliases.length && rng.next() < MODEL.aliasUseShare) {
      this.aliasUses[p.index] = (this.aliasUses[p.index] ?? 0) + 1;
      return rng.pick(p.aliases);
    }
    return p.id;
  }

  private account(i: number): void {
    const { w, partners, fx } = this.o;
    const rng = new Rng(this.o.seed, STREAM.accounts, i);
    this.health = new Rng(this.o.seed, STREAM.health, i).normal();
    const id = `A${String(i + 1).padStart(7, '0')}`;
    const region = rng.weighted(REGIONS, REGION_WEIGHTS);
    const industry = rng.pick(INDUSTRIES);
    const lnEmp = 4.2 + 1.6 * rng.normal();
    const employees = Math.min(250_000, Math.max(2, Math.round(Math.exp(lnEmp))));
    const size = (Math.log(employees) - 4.2) / 1.6;
    const activity = rng.normal();
    const revenueCents = Math.round(employees * 150_000 * Math.exp(0.4 * rng.normal())) * 100;
    const a = rng.pick(NAME_A);
    const b = rng.pick(NAME_B);
    const suffix = rng.pick(NAME_SUFFIX);
    let name = `${a} ${b} ${suffix}`;
    let nameForm = '';
    if (rng.next() < 0.01) {
      name = `${a}, ${b} & Partners ${suffix}`;
      nameForm = 'quoted field with a comma';
    }
    const domain = `${a.toLowerCase().replace(/[^a-z]/g, '')}-${b.toLowerCase()}-${i + 1}.${region === 'EMEA' ? 'eu' : 'com'}`;
    const created = HISTORY_START_DAY - 1200 + rng.int(1195);
    const accLine = w.accounts.row([
      id,
      csvField(name),
      domain,
      industry,
      String(employees),
      centsStr(revenueCents),
      region,
      tsStr(created, 28_800 + rng.int(36_000)),
    ]);
    if (nameForm) this.awkward.push({ table: 'accounts', file: 'accounts.csv', line: accLine, column: 'name', form: nameForm });
    this.counts.accounts++;

    // A second record of the same company from another system: different id, same domain.
    let dupId = '';
    if (rng.next() < MODEL.duplicateAccountShare) {
      dupId = `CRM2-${String(i + 1).padStart(7, '0')}`;
      const variant = rng.int(3);
      const dupDomain = variant === 0 ? `www.${domain}` : variant === 1 ? domain.toUpperCase() : `WWW.${domain.charAt(0).toUpperCase()}${domain.slice(1)}`;
      w.accounts.row([dupId, csvField(name.toUpperCase()), dupDomain, industry, '', '', region, tsStr(created + 30, 43_200)]);
      this.duplicates.push({ account_id: id, duplicate_account_id: dupId, domain, duplicate_domain: dupDomain });
    }
    const refAccount = (share: number): string => (dupId && rng.next() < share ? dupId : id);

    // Contacts.
    const nContacts = Math.min(8, 1 + rng.poisson(1.2 + 0.4 * Math.max(0, size)));
    const contacts: string[] = [];
    for (let k = 0; k < nContacts; k++) {
      this.nContact++;
      const cid = `C${this.nContact}`;
      contacts.push(cid);
      const first = rng.pick(FIRST_NAMES);
      const last = rng.pick(LAST_NAMES);
      w.contacts.row([cid, refAccount(0.3), `${first}.${last}${k ? k : ''}@${domain}`, csvField(rng.pick(TITLES)), tsStr(created + rng.int(Math.max(1, HISTORY_START_DAY - created)), 30_000 + rng.int(30_000))]);
    }
    this.counts.contacts += nContacts;

    // Engagement: experiment pool accounts are assigned at random; others engage by propensity.
    let engaged: PartnerSim | undefined;
    let startDay = 0;
    let startMonth = MONTHS;
    let arm: 'treatment' | 'control' | undefined;
    if (rng.next() < MODEL.experimentPoolShare) {
      arm = rng.next() < 0.5 ? 'treatment' : 'control';
      const ep = this.experimentPartner;
      w.experiments.row([EXPERIMENT.experiment_id, id, ep.id, csvField(EXPERIMENT.program), arm, tsStr(EXPERIMENT.assignedDay, 32_400)]);
      this.counts.experiment_assignments++;
      if (arm === 'treatment') {
        engaged = ep;
        startDay = EXPERIMENT.assignedDay + rng.int(5);
        startMonth = EXPERIMENT.effectMonth - 1;
      }
    } else {
      const m = MODEL.engagement;
      if (rng.next() < logistic(m.intercept + m.size * size + m.activity * activity)) {
        const cum = this.regionCum.get(region);
        if (cum) {
          const r = rng.next() * (cum[cum.length - 1] ?? 0);
          let k = 0;
          while (k < cum.length - 1 && (cum[k] ?? 0) <= r) k++;
          engaged = partners[k];
        }
        startMonth = 1 + rng.int(MONTHS - 4);
        startDay = (MONTH_START[startMonth] ?? 0) + rng.int(28);
      }
    }
    const tally = engaged ? this.partnerTally[engaged.index] : undefined;
    if (engaged && tally) {
      tally.engaged++;
      this.counts.engaged_accounts++;
    }
    const armT = arm ? this.arms[arm] : undefined;
    if (armT) armT.accounts++;

    // Base outcome model.
    const mo = MODEL.open;
    const mw = MODEL.win;
    const ds = MODEL.dealSize;
    const p0 = logistic(mo.intercept + mo.size * size + mo.activity * activity);
    const w0 = logistic(mw.intercept + mw.size * size + mw.activity * activity);
    const baseAcv = ds.usdAt100Employees * 100 * Math.exp(ds.elasticity * (Math.log(employees) - Math.log(100)));
    const currency = rng.pick(CURRENCY_OF_REGION[region] ?? USD_ONLY);
    const openTouchDays: number[] = [];
    let nbPipeline = 0;

    for (let m = 0; m < MONTHS; m++) {
      const u = rng.next();
      const active = engaged !== undefined && m > startMonth;
      const p1 = active && engaged ? Math.min(mo.cap, p0 * (1 + engaged.openLift)) : p0;
      const w1 = active && engaged ? Math.min(mw.cap, w0 * (1 + engaged.winLift)) : w0;
      const mult = active && engaged ? engaged.dealSizeMultiplier : 1;
      const cp = this.closeProb[m] ?? 0;
      if (active && tally) {
        tally.expectedPipeline += (p1 * mult - p0) * baseAcv;
        tally.expectedRevenue += (p1 * w1 * mult - p0 * w0) * baseAcv * cp;
      }
      const inWindow = armT !== undefined && m >= EXPERIMENT.effectMonth;
      if (inWindow && armT) {
        armT.expectedOpportunities += p1;
        armT.expectedPipeline += p1 * mult * baseAcv;
        armT.expectedRevenue += p1 * w1 * mult * baseAcv * cp;
      }
      if (u >= p1 && u >= p0) continue;
      const open0 = u < p0;
      const open1 = u < p1;
      const monthStart = MONTH_START[m] ?? 0;
      const day = Math.min(monthStart + rng.int((MONTH_START[m + 1] ?? monthStart + 30) - monthStart), AS_OF_DAY - 1);
      const cycle = MODEL.cycleDays.min + rng.int(MODEL.cycleDays.max - MODEL.cycleDays.min + 1);
      const uw = rng.next();
      const z = rng.normal();
      const a0 = Math.max(50_000, Math.round(baseAcv * Math.exp(ds.noiseSd * z - (ds.noiseSd * ds.noiseSd) / 2)));
      const a1 = Math.round(a0 * mult);
      const rate = fx.rateOn(currency, day);
      const local0 = Math.round(a0 / rate);
      const local1 = Math.round(a1 / rate);
      const base0 = Math.round(local0 * rate);
      const base1 = Math.round(local1 * rate);
      const win0 = uw < w0;
      const win1 = uw < w1;
      const closeDay = day + cycle;
      const closed = closeDay < AS_OF_DAY;
      if (active && tally) {
        if (open1) {
          tally.observedOpportunities++;
          tally.observedPipeline += base1;
          if (win1 && closed) {
            tally.observedWins++;
            tally.observedRevenue += base1;
          }
        }
        if (open0) {
          tally.counterfactualOpportunities++;
          tally.counterfactualPipeline += base0;
          if (win0 && closed) {
            tally.counterfactualWins++;
            tally.counterfactualRevenue += base0;
          }
        }
      }
      if (inWindow && armT) {
        if (open1) {
          armT.opportunities++;
          armT.pipeline += base1;
          if (win1 && closed) {
            armT.wins++;
            armT.revenue += base1;
          }
        }
        if (open0) {
          armT.cfOpportunities++;
          armT.cfPipeline += base0;
          if (win0 && closed) {
            armT.cfWins++;
            armT.cfRevenue += base0;
          }
        }
      }
      if (!open1) continue;
      nbPipeline += base1;
      openTouchDays.push(day);
      const partnerNamed = engaged !== undefined && day >= startDay ? engaged : undefined;
      this.opportunity(rng, {
        accountId: refAccount(0.2),
        realAccountId: id,
        name: `${name} - ${rng.pick(PRODUCTS)}`,
        type: 'new_business',
        day,
        closeDay,
        won: win1,
        localCents: local1,
        currency,
        partner: partnerNamed,
        contacts,
        domain,
      });
    }

    if (arm === undefined) {
      const c = engaged ? this.confounding.engaged : this.confounding.not_engaged;
      c.accounts++;
      c.pipeline += nbPipeline;
      c.employees += employees;
    }

    this.touchpoints(rng, { id, dupId, contacts, size, activity, engaged, startDay, openTouchDays });
  }

  private opportunity(
    rng: Rng,
    o: {
      accountId: string;
      realAccountId: string;
      name: string;
      type: 'new_business' | 'expansion' | 'renewal';
      day: number;
      closeDay: number;
      won: boolean;
      localCents: number;
      currency: Currency;
      partner: PartnerSim | undefined;
      contacts: readonly string[];
      domain: string;
    },
  ): string {
    const { w } = this.o;
    this.nOpp++;
    const oppId = `O${this.nOpp}`;
    const closed = o.closeDay < AS_OF_DAY;
    // Stage path: winners pass all stages; losers drop out after 1-4 stages.
    const reached = o.won ? STAGES.length : 1 + rng.int(STAGES.length);
    const span = o.closeDay - o.day;
    let current: string = STAGES[0];
    const created = tsStr(o.day, 30_600 + rng.int(30_000));
    const estimate = Math.round(o.localCents * (1 + 0.05 * rng.int(5)));
    for (let s = 0; s < reached; s++) {
      const entered = o.day + Math.floor((span * s) / (reached + 1));
      if (entered >= AS_OF_DAY) break;
      current = STAGES[s] ?? current;
      const ts = s === 0 ? created : tsStr(entered, 32_000 + rng.int(30_000));
      w.opportunity_stages.row([oppId, current, ts, centsStr(s < 2 ? estimate : o.localCents)]);
    }
    if (closed) {
      current = o.won ? 'Closed Won' : 'Closed Lost';
      w.opportunity_stages.row([oppId, current, tsStr(o.closeDay, 57_600 + rng.int(7200)), centsStr(o.localCents)]);
    }
    let sourced = '';
    let registered = '';
    if (o.partner) {
      if (rng.next() < o.partner.program.sourcedShare) sourced = this.partnerRef(o.partner, rng);
      if (rng.next() < o.partner.program.registeredShare) registered = this.partnerRef(o.partner, rng);
    }
    let createdOut = created;
    let closeOut = dateStr(o.closeDay);
    const awk = rng.next();
    let awkColumn = '';
    let awkForm = '';
    if (awk < 0.006) {
      createdOut = spreadsheetTsStr(o.day, 30_600 + rng.int(30_000));
      awkColumn = 'created_at';
      awkForm = 'spreadsheet timestamp YYYY-MM-DD HH:MM';
    } else if (awk < 0.012 && Number(dateStr(o.closeDay).slice(8)) > 12) {
      closeOut = usDateStr(o.closeDay);
      awkColumn = 'close_date';
      awkForm = 'spreadsheet date MM/DD/YYYY';
    }
    let oppName = o.name;
    if (rng.next() < 0.002) {
      oppName = `${o.name}\n(renewal terms, "net 60")`;
      awkColumn = awkColumn || 'name';
      awkForm = awkForm || 'quoted field with an embedded newline and quotes';
    }
    const line = w.opportunities.row([
      oppId,
      o.accountId,
      csvField(oppName),
      o.type,
      createdOut,
      closeOut,
      current,
      closed ? 'true' : 'false',
      closed && o.won ? 'true' : 'false',
      centsStr(o.localCents),
      o.currency,
      sourced,
      registered,
      sourced ? 'Partner Referral' : rng.pick(LEAD_SOURCES),
      rng.pick(OWNERS),
    ]);
    if (awkColumn) this.awkward.push({ table: 'opportunities', file: 'opportunities.csv', line, column: awkColumn, form: awkForm });
    this.counts.opportunities++;
    if (o.type === 'new_business') {
      this.counts.new_business++;
      if (closed) this.counts.closed_new_business++;
      if (closed && o.won) this.counts.won_new_business++;
    }
    const nRoles = Math.min(o.contacts.length, 1 + rng.int(3));
    const start = rng.int(Math.max(1, o.contacts.length));
    for (let k = 0; k < nRoles; k++) {
      const cid = o.contacts[(start + k) % o.contacts.length];
      if (cid) w.opportunity_contacts.row([oppId, cid, csvField(rng.pick(CONTACT_ROLES)), k === 0 ? 'true' : 'false']);
    }
    if (o.type === 'new_business' && closed && o.won) {
      this.customer(rng, { oppId, accountId: o.realAccountId, closeDay: o.closeDay, arrCents: o.localCents, currency: o.currency, partnerSourced: sourced !== '', contacts: o.contacts, name: o.name, domain: o.domain });
    }
    if (o.partner && sourced && rng.next() < 0.3) {
      this.feedback(rng, sourced, oppId, o.day + 5 + rng.int(40));
    }
    return oppId;
  }

  /** Revenue schedule, renewals, expansion, contraction, churn and usage of a new customer. */
  private customer(
    rng: Rng,
    c: { oppId: string; accountId: string; closeDay: number; arrCents: number; currency: Currency; partnerSourced: boolean; contacts: readonly string[]; name: string; domain: string },
  ): void {
    const { w } = this.o;
    const group = c.partnerSourced ? 'partner_sourced' : 'direct';
    const cp = COHORT_PARAMS[group];
    const tally = this.cohorts[group];
    tally.customers++;
    const h = this.health;
    const rt = this.renewals;
    rt.customers++;
    const midChurnP = churnProbability(cp.annual_churn_probability * COHORT_PARAMS.mid_term_share, h);
    const notRenewP = churnProbability(cp.annual_churn_probability * (1 - COHORT_PARAMS.mid_term_share), h);
    const start = c.closeDay + 1 + rng.int(14);
    let arr = c.arrCents;
    let yearStart = start;
    let yearOpp = c.oppId;
    let year = 0;
    let endDay = AS_OF_DAY;
    const line = (kind: string, oppId: string, ps: number, pe: number, cents: number): void => {
      this.nRevenue++;
      w.revenue.row([`R${this.nRevenue}`, c.accountId, oppId, dateStr(ps), dateStr(pe), centsStr(cents), c.currency, kind]);
      this.counts.revenue_lines++;
    };
    customerLife: while (yearStart < AS_OF_DAY) {
      const kind = year === 0 ? 'new' : 'renewal';
      const quarter = Math.floor(arr / 4);
      const midChurn = rng.next() < midChurnP;
      const churnQuarter = rng.int(4);
      const expands = rng.next() < cp.expansion_probability;
      const contracts = !expands && rng.next() < COHORT_PARAMS.contraction_probability;
      const refund = rng.next() < COHORT_PARAMS.refund_probability;
      const changeQuarter = 1 + rng.int(3);
      const change = Math.round(arr * (0.1 + 0.4 * rng.next()));
      const expansionCreated = addMonths(yearStart, changeQuarter) - 20 - rng.int(40);
      let expansionOpp = '';
      let expansionWon = false;
      if (expands && expansionCreated < AS_OF_DAY) {
        const closeDay = addMonths(yearStart, changeQuarter) - 1;
        expansionWon = rng.next() < 0.65;
        expansionOpp = this.opportunity(rng, { accountId: c.accountId, realAccountId: c.accountId, name: `${c.name} - expansion`, type: 'expansion', day: expansionCreated, closeDay, won: expansionWon, localCents: change, currency: c.currency, partner: undefined, contacts: c.contacts, domain: c.domain });
        if (expansionWon && closeDay < AS_OF_DAY) tally.expansions++;
        else expansionWon = false;
      }
      for (let q = 0; q < 4; q++) {
        const ps = addMonths(yearStart, 3 * q);
        if (ps >= AS_OF_DAY) break customerLife;
        const pe = addMonths(yearStart, 3 * (q + 1)) - 1;
        line(kind, yearOpp, ps, pe, q < 3 ? quarter : arr - 3 * quarter);
        if (refund && q === 0) line('refund', yearOpp, ps, pe, -quarter);
        if (q >= changeQuarter && expansionWon) line('expansion', expansionOpp, ps, pe, Math.floor(change / 4));
        if (q >= changeQuarter && contracts) line('contraction', yearOpp, ps, pe, -Math.floor(change / 4));
        if (midChurn && q === churnQuarter) {
          const cancel = ps + rng.int(pe - ps);
          if (cancel < AS_OF_DAY) {
            const unused = Math.round(((q < 3 ? quarter : arr - 3 * quarter) * (pe - cancel)) / (pe - ps + 1));
            line('churn', yearOpp, cancel + 1, pe, -unused);
            tally.churned++;
            tally.churned_mid_term++;
            rt.mid_term_churns++;
            endDay = cancel;
            break customerLife;
          }
        }
      }
      if (expansionWon) arr += change;
      if (contracts) arr -= change;
      const anniversary = addMonths(yearStart, 12);
      const renewalCreated = anniversary - 60;
      if (renewalCreated >= AS_OF_DAY) break;
      const renews = rng.next() >= notRenewP;
      yearOpp = this.opportunity(rng, { accountId: c.accountId, realAccountId: c.accountId, name: `${c.name} - renewal ${year + 1}`, type: 'renewal', day: renewalCreated, closeDay: anniversary, won: renews, localCents: arr, currency: c.currency, partner: undefined, contacts: c.contacts, domain: c.domain });
      if (anniversary >= AS_OF_DAY) break;
      rt.closed_renewals++;
      if (renews) rt.health_sum_renewed += h;
      else {
        rt.lost_renewals++;
        rt.health_sum_lost += h;
      }
      if (!renews) {
        tally.churned++;
        tally.not_renewed++;
        endDay = anniversary;
        break;
      }
      tally.renewals++;
      yearStart = anniversary;
      year++;
    }
    this.usage(c.accountId, c.oppId.slice(1), start, Math.min(endDay, AS_OF_DAY));
  }

  /**
   * Usage rows, driven by the account's health (see HEALTH): monthly events are Poisson with a
   * mean scaled by exp(σ·h − σ²/2), drawn from the subscription's own stream so usage never shifts
   * the sales simulation. User ids are unique per subscription so the natural key never repeats.
   */
  private usage(accountId: string, subscription: string, from: number, to: number): void {
    const rng = new Rng(this.o.seed, STREAM.usage, Number(subscription));
    const sd = HEALTH.usage_log_sd;
    const mean = this.o.params.usagePerMonth * Math.exp(sd * this.health - (sd * sd) / 2);
    const n = USAGE_EVENTS.length;
    const used = USAGE_EVENTS.slice(0, 1 + Math.round((n - 1) * logistic(HEALTH.adoption_intercept + HEALTH.adoption_slope * this.health)));
    for (let m = monthOf(from); m < MONTHS; m++) {
      const ms = Math.max(from, MONTH_START[m] ?? 0);
      const me = Math.min(to, MONTH_START[m + 1] ?? AS_OF_DAY);
      if (ms >= me) continue;
      const events = rng.poisson(mean);
      for (let k = 0; k < events; k++) {
        const day = ms + rng.int(me - ms);
        this.o.w.usage.row([accountId, tsStr(day, rng.int(86_400)), rng.pick(used), String(1 + rng.int(200)), `user-${subscription}-${k + 1}`]);
        this.counts.usage++;
      }
    }
  }

  private feedback(rng: Rng, partnerRef: string, oppId: string, day: number): void {
    if (day >= AS_OF_DAY) return;
    this.nFeedback++;
    const notes = [
      'Great joint call, customer loves the integration',
      'Slow "legal" review; expect a delay',
      'Pricing pushback,\ncustomer asked for a second quote',
      'Champion left the account',
      '',
    ];
    const rating = String(1 + Math.min(4, Math.floor(rng.next() * 5.5)));
    this.o.w.feedback.row([`F${this.nFeedback}`, partnerRef, oppId, tsStr(day, 36_000 + rng.int(20_000)), rating, rng.pick(notes)]);
    this.counts.feedback++;
  }

  private partnerFeedback(): void {
    const rng = new Rng(this.o.seed, STREAM.feedback);
    for (const p of this.o.partners) {
      for (let m = 2; m < MONTHS; m += 3) {
        if (rng.next() < 0.6) this.feedback(rng, this.partnerRef(p, rng), '', (MONTH_START[m] ?? 0) + rng.int(28));
      }
    }
  }

  private touchpoints(
    rng: Rng,
    t: { id: string; dupId: string; contacts: readonly string[]; size: number; activity: number; engaged: PartnerSim | undefined; startDay: number; openTouchDays: readonly number[] },
  ): void {
    const span = AS_OF_DAY - HISTORY_START_DAY;
    const bg = rng.poisson(this.o.params.backgroundTouches * Math.exp(0.3 * t.size + 0.4 * t.activity - 0.25));
    for (let k = 0; k < bg; k++) this.touch(rng, t, HISTORY_START_DAY + rng.int(span), undefined);
    for (const day of t.openTouchDays) {
      const n = 1 + rng.poisson(this.o.params.preOpportunityTouches - 1);
      for (let k = 0; k < n; k++) {
        const d = Math.max(HISTORY_START_DAY, day - rng.int(60));
        const partner = t.engaged && d >= t.startDay && rng.next() < 0.35 ? t.engaged : undefined;
        if (partner && this.thinned(partner, d)) continue;
        this.touch(rng, t, d, partner);
      }
    }
    const p = t.engaged;
    if (p) {
      if (!this.thinned(p, t.startDay)) this.touch(rng, t, t.startDay, p);
      const perMonth = this.o.params.partnerTouchesPerMonth * (0.6 + 0.2 * p.reach);
      for (let m = monthOf(t.startDay); m < MONTHS; m++) {
        const ms = Math.max(t.startDay + 1, MONTH_START[m] ?? 0);
        const me = Math.min(AS_OF_DAY, MONTH_START[m + 1] ?? AS_OF_DAY);
        if (ms >= me) continue;
        const n = rng.poisson(perMonth);
        for (let k = 0; k < n; k++) {
          const day = ms + rng.int(me - ms);
          rng.next(); // formerly the thinning draw; still drawn so the rest of the stream is unchanged
          if (this.thinned(p, day)) continue;
          this.touch(rng, t, day, p);
        }
      }
    }
  }

  /**
   * The planted engagement drop: true when a touch of the drop partner in the anomaly month is
   * dropped. Thinning is systematic, not random: of the n-th such touch (whatever made it) only
   * those where ⌊(n+1)·keepFraction⌋ steps up are kept, so exactly ~keepFraction survive at every
   * seed (binomial thinning left 6 of 15 at one small seed, which is no drop).
   */
  private thinned(p: PartnerSim, day: number): boolean {
    if (p !== this.dropPartner || monthOf(day) !== ANOMALY.month) return false;
    const n = this.dropCandidates++;
    return Math.floor((n + 1) * ANOMALY.keepFraction) === Math.floor(n * ANOMALY.keepFraction);
  }

  private touch(
    rng: Rng,
    t: { id: string; dupId: string; contacts: readonly string[] },
    day: number,
    partner: PartnerSim | undefined,
  ): void {
    this.nTouch++;
    let channel: string;
    let touchType: TouchType;
    let activityId = '';
    let partnerId = '';
    let source: string;
    if (partner) {
      const idx = activityIndexAt(partner, day);
      const act = partner.activities[Math.max(0, idx - rng.int(3))];
      activityId = act?.id ?? '';
      touchType = rng.pick(ACTIVITY_TOUCH_TYPES[act?.type ?? 'other']);
      partnerId = this.partnerRef(partner, rng);
      channel = 'partner';
      source = rng.next() < 0.5 ? 'partner_portal' : 'salesforce';
      const m = monthOf(day);
      this.partnerTouches[partner.index * MONTHS + m] = (this.partnerTouches[partner.index * MONTHS + m] ?? 0) + 1;
    } else {
      const ch = rng.weighted(CHANNELS, CHANNEL_WEIGHTS);
      channel = ch;
      touchType = rng.pick(CHANNEL_TOUCH_TYPES[ch]);
      source = rng.pick(SOURCE_SYSTEMS);
    }
    let accountId = t.id;
    let contactId = '';
    const r = rng.next();
    if (t.contacts.length && r < 0.45) {
      contactId = t.contacts[rng.int(t.contacts.length)] ?? '';
      if (r < 0.15) accountId = '';
    }
    if (accountId && t.dupId && rng.next() < 0.3) accountId = t.dupId;
    let seconds = '';
    let pct = '';
    if (touchType === 'visit') seconds = String(5 + rng.int(600));
    else if (touchType === 'content_view' || touchType === 'download') {
      seconds = String(20 + rng.int(900));
      pct = (rng.int(1001) / 10).toFixed(1);
    } else if (touchType === 'attended' || touchType === 'meeting') seconds = String(900 + rng.int(2700));
    const sec = 25_200 + rng.int(43_200);
    let ts = tsStr(day, sec);
    const awk = rng.next();
    let awkColumn = '';
    let awkForm = '';
    if (awk < 0.001) {
      ts = spreadsheetTsStr(day, sec);
      awkColumn = 'occurred_at';
      awkForm = 'spreadsheet timestamp YYYY-MM-DD HH:MM';
    } else if (awk < 0.002) {
      channel = channel.toUpperCase();
      awkColumn = 'channel';
      awkForm = 'channel in upper case';
    }
    const line = this.o.w.touchpoints.row([`T${this.nTouch}`, ts, accountId, contactId, activityId, partnerId, channel, touchType, source, seconds, pct]);
    if (awkColumn) this.awkward.push({ table: 'touchpoints', file: 'touchpoints.csv', line, column: awkColumn, form: awkForm });
    this.counts.touchpoints++;
  }
}
