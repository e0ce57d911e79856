/**
 * The small, in-memory part of the demo company: partners (with their planted effect), their
 * activities, and monthly fx rates. Accounts and everything per account stream in
 * simulate-accounts.ts.
 */
import { PARTNER_TYPES, type ActivityType, type PartnerType } from '../warehouse/index.js';
import {
  HISTORY_START_DAY,
  MONTHS,
  MONTH_START,
  AS_OF_DAY,
  addMonths,
  dateStr,
  monthOf,
  tsStr,
} from './calendar.js';
import {
  ACTIVITY_COST,
  NAME_A,
  OWNERS,
  PARTNER_WORDS,
  PROGRAMS,
  PROGRAM_OF_TYPE,
  REGIONS,
  STRENGTHS,
  TIERS,
  TIER_REACH,
  type ProgramSpec,
} from './catalog.js';
import { Rng, STREAM } from './prng.js';
import { csvField, type TableWriter } from './table-writer.js';

export interface PartnerSim {
  index: number;
  id: string;
  name: string;
  type: PartnerType;
  tier: (typeof TIERS)[number];
  region: string;
  aliases: string[];
  program: ProgramSpec;
  programIndex: number;
  strength: number;
  openLift: number;
  winLift: number;
  dealSizeMultiplier: number;
  reach: number;
  /** Activities of this partner (including joint ones), sorted by start day. */
  activities: { id: string; type: ActivityType; startDay: number }[];
}

export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD'] as const;
export type Currency = (typeof CURRENCIES)[number];
const FX_START: Record<Currency, number> = { USD: 1, EUR: 1.08, GBP: 1.27, CAD: 0.73 };
/** fx months: from one month before history to the as-of month. */
export const FX_MONTHS = MONTHS + 1;

export interface Fx {
  /** rate_to_base per currency per fx month (index 0 = the month before history). */
  rates: Record<Currency, number[]>;
  /** Rate valid on an epoch day. */
  rateOn(currency: Currency, day: number): number;
}

export function buildFx(seed: number): Fx {
  const rng = new Rng(seed, STREAM.fx);
  const rates: Record<Currency, number[]> = { USD: [], EUR: [], GBP: [], CAD: [] };
  for (const cur of CURRENCIES) {
    const list = rates[cur];
    let r = FX_START[cur];
    for (let m = 0; m < FX_MONTHS; m++) {
      if (cur !== 'USD' && m > 0) r = r * (1 + 0.015 * rng.normal());
      list.push(Math.round(r * 1e6) / 1e6);
    }
  }
  return {
    rates,
    rateOn(currency, day) {
      const m = day < HISTORY_START_DAY ? 0 : monthOf(day) + 1;
      return rates[currency][m] ?? 1;
    },
  };
}

/** fx month index 0 starts one month before history. */
export function fxValidFrom(m: number): number {
  return m === 0 ? addMonths(HISTORY_START_DAY, -1) : (MONTH_START[m - 1] ?? HISTORY_START_DAY);
}

export function writeFxCsv(fx: Fx, w: TableWriter): void {
  for (const cur of CURRENCIES) {
    if (cur === 'USD') continue;
    fx.rates[cur].forEach((rate, m) => w.row([cur, dateStr(fxValidFrom(m)), rate.toFixed(6)]));
  }
}

export function buildPartners(seed: number, count: number): PartnerSim[] {
  const rng = new Rng(seed, STREAM.partners);
  const order = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  const strengthOf = new Map<number, number>();
  order.forEach((p, k) => strengthOf.set(p, STRENGTHS[k % STRENGTHS.length] ?? 1));
  const partners: PartnerSim[] = [];
  for (let i = 0; i < count; i++) {
    const type = PARTNER_TYPES[i % PARTNER_TYPES.length] ?? 'other';
    const programIndex = PROGRAMS.findIndex((p) => p.name === PROGRAM_OF_TYPE[type]);
    const program = PROGRAMS[programIndex];
    if (!program) throw new Error(`no program for ${type}`);
    const tier = i === 0 ? 'gold' : rng.weighted(TIERS, [0.2, 0.3, 0.5]);
    const region = rng.chance(0.15) ? 'Global' : rng.weighted(REGIONS, [0.45, 0.3, 0.18, 0.07]);
    const a = NAME_A[(i * 7 + rng.int(NAME_A.length)) % NAME_A.length] ?? 'Acme';
    const b = PARTNER_WORDS[rng.int(PARTNER_WORDS.length)] ?? 'Group';
    const name = `${a} ${b}${i >= NAME_A.length ? ` ${Math.floor(i / NAME_A.length) + 1}` : ''}`;
    const strength = strengthOf.get(i) ?? 1;
    const aliases: string[] = [];
    if (i % 4 === 1 || i === 0) {
      const code = a.replace(/[^A-Za-z]/g, '').slice(0, 4).toUpperCase();
      const reg = region === 'EMEA' ? 'EU' : region === 'Global' ? 'WW' : region;
      aliases.push(`${code}${i}-${reg}`, `${name} ${region === 'EMEA' ? 'Europe GmbH' : 'Holdings'}`);
    }
    partners.push({
      index: i,
      id: `P${String(i + 1).padStart(4, '0')}`,
      name,
      type,
      tier,
      region,
      aliases,
      program,
      programIndex,
      strength,
      openLift: round6(program.openLift * strength),
      winLift: round6(program.winLift * strength),
      dealSizeMultiplier: round6(Math.max(0.5, 1 + (program.dealSizeMultiplier - 1) * strength)),
      reach: TIER_REACH[tier],
      activities: [],
    });
  }
  return partners;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export function writePartners(partners: readonly PartnerSim[], seed: number, w: TableWriter): void {
  const rng = new Rng(seed, STREAM.partners, 1);
  for (const p of partners) {
    // Every partner joined before the first activity (history start).
    const joined = HISTORY_START_DAY - 900 + rng.int(890);
    w.row([
      p.id,
      csvField(p.name),
      p.type,
      p.tier,
      p.region,
      csvField(p.aliases.join('|')),
      tsStr(joined, 32_400 + rng.int(28_800)),
    ]);
  }
}

export interface ActivityWriteResult {
  activities: number;
  jointActivities: number;
  awkward: { line: number; column: string; form: string }[];
}

/**
 * Activities: a monthly-ish cadence per partner from the start of history, one of the program's
 * activity types each; ~12% are joint with 1-2 other partners of the same program.
 */
export function writeActivities(
  partners: PartnerSim[],
  seed: number,
  fx: Fx,
  w: TableWriter,
): ActivityWriteResult {
  const rng = new Rng(seed, STREAM.activities);
  const byProgram = new Map<number, PartnerSim[]>();
  for (const p of partners) byProgram.set(p.programIndex, [...(byProgram.get(p.programIndex) ?? []), p]);
  let n = 0;
  let joint = 0;
  const awkward: ActivityWriteResult['awkward'] = [];
  for (const p of partners) {
    let day = HISTORY_START_DAY + rng.int(10);
    while (day < AS_OF_DAY - 5) {
      n++;
      const id = `ACT${String(n).padStart(5, '0')}`;
      const type = rng.pick(p.program.activityTypes);
      const members = [p];
      const peers = (byProgram.get(p.programIndex) ?? []).filter((q) => q !== p);
      if (peers.length && rng.chance(0.12)) {
        joint++;
        const extra = rng.shuffle(peers).slice(0, 1 + rng.int(2));
        members.push(...extra);
      }
      const ids = members.map((m) => (m.aliases.length && rng.chance(0.15) ? (m.aliases[0] ?? m.id) : m.id));
      const month = dateStr(day).slice(0, 7);
      let name = `${p.program.name}: ${type.replace(/_/g, ' ')} ${month}`;
      let form = '';
      const r = rng.next();
      if (r < 0.03) {
        name = `${name}, "${p.name}" edition`;
        form = 'quoted field with comma and quotes';
      } else if (r < 0.05) {
        name = `${name}\nday 2 (follow-up)`;
        form = 'quoted field with an embedded newline';
      }
      const currency: 'USD' | 'EUR' | 'GBP' = p.region === 'EMEA' ? (rng.chance(0.7) ? 'EUR' : 'GBP') : 'USD';
      const costUsd = ACTIVITY_COST[type];
      const cost = costUsd
        ? Math.round((costUsd * (0.5 + rng.next())) / fx.rateOn(currency, day)) * 100
        : 0;
      const end = day + (type === 'event' || type === 'webinar' ? rng.int(2) : 14 + rng.int(60));
      const line = w.row([
        id,
        ids.join('|'),
        csvField(p.program.name),
        type,
        csvField(name),
        tsStr(day, 36_000 + rng.int(7200)),
        tsStr(Math.min(end, AS_OF_DAY - 1), 64_800),
        cost ? `${cost / 100}.00` : '',
        cost ? currency : '',
        rng.pick(OWNERS),
      ]);
      if (form) awkward.push({ line, column: 'name', form });
      for (const m of members) m.activities.push({ id, type, startDay: day });
      day += 20 + rng.int(40);
    }
  }
  for (const p of partners) p.activities.sort((a, b) => a.startDay - b.startDay || (a.id < b.id ? -1 : 1));
  return { activities: n, jointActivities: joint, awkward };
}

/** The index of the last activity of a partner starting on or before `day` (0 if none). */
export function activityIndexAt(p: PartnerSim, day: number): number {
  let lo = 0;
  let hi = p.activities.length - 1;
  let best = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((p.activities[mid]?.startDay ?? 0) <= day) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}
