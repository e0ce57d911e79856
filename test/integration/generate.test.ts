import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toMinor, JointlyError } from '../../src/core/index.js';
import { generateDemoData, DIRTY_RULES, type GenerateSummary, type Truth } from '../../src/generate/index.js';
import { TABLES, TABLE_NAMES, Warehouse, type TableName } from '../../src/warehouse/index.js';

interface CsvRecord {
  line: number;
  fields: string[];
  raw: string;
}

/** A small RFC 4180 reader that remembers the physical line each record starts on. */
function readRecords(path: string): { header: string[]; records: CsvRecord[] } {
  let text = readFileSync(path, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const out: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const startLine = line;
    const start = i;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else {
          if (ch === '\n') line++;
          field += ch;
        }
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        fields.push(field);
        field = '';
      } else if (ch === '\n') {
        break;
      } else field += ch;
    }
    fields.push(field);
    out.push({ line: startLine, fields, raw: text.slice(start, i) });
    i++;
    line++;
  }
  const [head, ...records] = out;
  return { header: head?.fields ?? [], records };
}

function readNdjson(path: string): { header: string[]; records: CsvRecord[] } {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  const records = lines.map((raw, k) => {
    const obj: Record<string, unknown> = JSON.parse(raw);
    const fields = Object.values(obj).map((v) => (v === null ? '' : String(v)));
    return { line: k + 1, fields, raw };
  });
  const first: Record<string, unknown> = JSON.parse(lines[0] ?? '{}');
  return { header: Object.keys(first), records };
}

const cache = new Map<string, { header: string[]; records: CsvRecord[] }>();
function read(dir: string, table: TableName) {
  const key = `${dir}/${table}`;
  let hit = cache.get(key);
  if (!hit) {
    hit = table === 'feedback' ? readNdjson(join(dir, 'feedback.ndjson')) : readRecords(join(dir, `${table}.csv`));
    cache.set(key, hit);
  }
  return hit;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const SHEET_TS = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/;
const US_DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;

/** Epoch ms of a date/timestamp in one of the forms the generator writes, or undefined. */
function parseWhen(v: string): number | undefined {
  let y: number, mo: number, d: number, h = 0, mi = 0, s = 0;
  let m = ISO_TS.exec(v) ?? SHEET_TS.exec(v) ?? ISO_DATE.exec(v);
  if (m) {
    [y, mo, d, h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  } else if ((m = US_DATE.exec(v))) {
    [mo, d, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else return undefined;
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  return t;
}

let dir: string;
let summary: GenerateSummary;
let truth: Truth;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jointly-gen-a-'));
  summary = await generateDemoData({ seed: 7, scale: 'small', outDir: dir });
  truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
});

describe('generate', () => {
  test('the same seed writes byte-identical files and a different seed different ones', async () => {
    const again = mkdtempSync(join(tmpdir(), 'jointly-gen-b-'));
    const other = mkdtempSync(join(tmpdir(), 'jointly-gen-c-'));
    await generateDemoData({ seed: 7, scale: 'small', outDir: again });
    await generateDemoData({ seed: 8, scale: 'small', outDir: other });
    const files = readdirSync(dir).sort();
    expect(readdirSync(again).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(again, f)).equals(readFileSync(join(dir, f))), f).toBe(true);
    for (const f of ['touchpoints.csv', 'opportunities.csv', 'accounts.csv', 'truth.json']) {
      expect(readFileSync(join(other, f)).equals(readFileSync(join(dir, f))), f).toBe(false);
    }
  });

  test('small scale runs in seconds with the promised volumes', () => {
    expect(summary.seconds).toBeLessThan(5);
    const tp = summary.files.find((f) => f.table === 'touchpoints');
    expect(tp?.rows).toBeGreaterThanOrEqual(5000);
    expect(tp?.rows).toBeLessThanOrEqual(20000);
    const c = truth.counts;
    const winRate = (c['won_new_business'] ?? 0) / (c['closed_new_business'] ?? 1);
    expect(winRate).toBeGreaterThan(0.2);
    expect(winRate).toBeLessThan(0.3);
  });

  test('every canonical table has a file with exactly the columns of its spec', async () => {
    const files = readdirSync(dir);
    for (const t of TABLE_NAMES) {
      const file = files.find((f) => f.startsWith(`${t}.`));
      expect(file, t).toBeDefined();
      const expected = TABLES[t].columns.map((c) => c.name);
      if (t === 'fx_rates') {
        const wh = await Warehouse.open(':memory:', { skipMigrations: true });
        const cols = await wh.all<{ column_name: string }>(`describe select * from read_parquet('${join(dir, 'fx_rates.parquet')}')`);
        const currencies = await wh.all<{ currency: string }>(`select distinct currency from read_parquet('${join(dir, 'fx_rates.parquet')}') order by 1`);
        await wh.close();
        expect(cols.map((c) => c.column_name)).toEqual(expected);
        expect(currencies.map((c) => c.currency)).toEqual(['CAD', 'EUR', 'GBP']);
      } else {
        const { header, records } = read(dir, t);
        expect(header, t).toEqual(expected);
        expect(records.length, t).toBe(truth.files[t]?.rows);
        expect(records.filter((r) => r.fields.length !== expected.length).map((r) => r.line), t).toEqual([]);
      }
    }
    expect(readFileSync(join(dir, 'partners.csv'))[0]).toBe(0xef); // UTF-8 BOM
  });

  test('every dirty row in truth.json is at its line with its defect, and no other row has one', () => {
    const partnerIds = new Set<string>();
    const { records: partnerRows } = read(dir, 'partners');
    for (const r of partnerRows) {
      partnerIds.add(r.fields[0] ?? '');
      for (const a of (r.fields[5] ?? '').split('|')) if (a) partnerIds.add(a);
    }
    const asOf = Date.parse(truth.generator.as_of);
    const kinds = new Set(truth.dirty_rows.map((d) => d.kind));
    expect([...kinds].sort()).toEqual(
      ['bad_date', 'duplicate', 'future_timestamp', 'missing_id', 'negative_amount', 'unknown_partner', 'unparseable_number', 'wrong_enum'],
    );
    const defective = (t: TableName, kind: string, column: string, fields: string[], header: string[]): boolean => {
      const v = fields[header.indexOf(column)] ?? '';
      const spec = TABLES[t].columns.find((c) => c.name === column);
      switch (kind) {
        case 'missing_id':
          return v === '';
        case 'bad_date':
          return v !== '' && parseWhen(v) === undefined;
        case 'unparseable_number':
          return v !== '' && !/^-?\d+(\.\d+)?$/.test(v);
        case 'unknown_partner':
          return v !== '' && v.split('|').some((p) => !partnerIds.has(p));
        case 'negative_amount': {
          const kindValue = fields[header.indexOf('kind')] ?? '';
          return /^-\d/.test(v) && !['contraction', 'churn', 'refund'].includes(kindValue);
        }
        case 'wrong_enum':
          return !(spec?.values ?? []).includes(v);
        case 'future_timestamp': {
          const when = parseWhen(v);
          return when !== undefined && when > asOf + 86_400_000;
        }
        default:
          return false;
      }
    };
    for (const t of TABLE_NAMES) {
      if (t === 'fx_rates') continue;
      const { header, records } = read(dir, t);
      const byLine = new Map(records.map((r) => [r.line, r]));
      const listed = truth.dirty_rows.filter((d) => d.table === t);
      expect(listed.length, t).toBe(truth.files[t]?.dirty_rows);
      for (const d of listed) {
        const rec = byLine.get(d.line);
        expect(rec, `${t} line ${d.line}`).toBeDefined();
        if (!rec) continue;
        expect(d.file).toBe(t === 'feedback' ? 'feedback.ndjson' : `${t}.csv`);
        if (d.kind === 'duplicate') {
          expect(rec.raw, `${t} line ${d.line}`).toBe(byLine.get(d.duplicate_of_line ?? -1)?.raw);
        } else {
          expect(rec.fields[header.indexOf(d.column)], `${t} line ${d.line}`).toBe(d.value);
          expect(defective(t, d.kind, d.column, rec.fields, header), `${t} line ${d.line} ${d.kind}`).toBe(true);
        }
      }
      // The rows not listed are clean for every defect this table can have.
      const dirtyLines = new Set(listed.map((d) => d.line));
      const seen = new Set<string>();
      const unlisted: string[] = [];
      for (const rec of records) {
        if (dirtyLines.has(rec.line)) continue;
        for (const rule of DIRTY_RULES[t]) {
          if (rule.kind !== 'duplicate' && defective(t, rule.kind, rule.column, rec.fields, header)) {
            unlisted.push(`${t} line ${rec.line}: ${rule.kind} in ${rule.column}`);
          }
        }
        if (seen.has(rec.raw)) unlisted.push(`${t} line ${rec.line}: duplicate`);
        seen.add(rec.raw);
      }
      expect(unlisted).toEqual([]);
    }
  });

  test('awkward but valid rows are where truth.json says', () => {
    expect(truth.awkward_rows.length).toBeGreaterThan(0);
    const forms = new Set(truth.awkward_rows.map((a) => a.form));
    expect(forms).toContain('quoted field with an embedded newline');
    for (const a of truth.awkward_rows) {
      const { header, records } = read(dir, a.table);
      const rec = records.find((r) => r.line === a.line);
      const v = rec?.fields[header.indexOf(a.column)] ?? '';
      if (a.form.startsWith('spreadsheet timestamp')) expect(v).toMatch(SHEET_TS);
      else if (a.form.startsWith('spreadsheet date')) expect(v).toMatch(US_DATE);
      else if (a.form.includes('newline')) expect(v).toContain('\n');
      else if (a.form.includes('comma')) expect(v).toContain(',');
      else if (a.form.includes('upper case')) expect(v).toBe(v.toUpperCase());
      if (a.form.includes('spreadsheet')) expect(parseWhen(v)).toBeDefined();
    }
  });

  test('every enum value, channel and revenue kind occurs in the clean rows', () => {
    const dirtyAt = new Set(truth.dirty_rows.map((d) => `${d.table}:${d.line}`));
    const values = (t: TableName, column: string): Set<string> => {
      const { header, records } = read(dir, t);
      const col = header.indexOf(column);
      return new Set(records.filter((r) => !dirtyAt.has(`${t}:${r.line}`)).map((r) => (r.fields[col] ?? '').toLowerCase()));
    };
    const sorted = (s: Set<string>) => [...s].filter((v) => v !== '').sort();
    for (const [t, column] of [
      ['partners', 'partner_type'],
      ['activities', 'activity_type'],
      ['touchpoints', 'touch_type'],
      ['opportunities', 'type'],
      ['revenue', 'kind'],
      ['experiments', 'arm'],
    ] as const) {
      const spec = TABLES[t].columns.find((c) => c.name === column);
      expect(sorted(values(t, column)), `${t}.${column}`).toEqual([...(spec?.values ?? [])].sort());
    }
    expect(sorted(values('touchpoints', 'channel'))).toEqual(
      ['direct', 'email', 'events', 'organic', 'outbound', 'paid', 'partner'],
    );
    expect(sorted(values('activities', 'currency'))).toEqual(['EUR', 'GBP', 'USD'].map((c) => c.toLowerCase()));
    expect(sorted(values('opportunities', 'currency')).length).toBeGreaterThanOrEqual(3);
    const { header, records } = read(dir, 'activities');
    const ids = header.indexOf('partner_ids');
    expect(records.some((r) => (r.fields[ids] ?? '').includes('|'))).toBe(true);
  });

  test('planted effects are stated and consistent', () => {
    const cents = (s: string) => toMinor(s);
    const zero = truth.partners.filter((p) => p.strength === 0 && p.engaged_accounts > 0);
    const strong = truth.partners.filter((p) => p.strength >= 1.5 && p.engaged_accounts > 0);
    expect(zero.length).toBeGreaterThan(0);
    expect(strong.length).toBeGreaterThan(0);
    for (const p of zero) {
      expect([p.open_lift, p.win_lift, p.deal_size_multiplier]).toEqual([0, 0, 1]);
      expect(p.realised_incremental_pipeline).toBe('0.00');
      expect(p.realised_incremental_revenue).toBe('0.00');
      expect(p.expected_incremental_revenue).toBe('0.00');
      expect(p.observed_opportunities).toBe(p.counterfactual_opportunities);
    }
    for (const p of truth.partners) {
      // Common random numbers: with a non-negative open lift the treated world only adds deals.
      expect(p.observed_opportunities).toBeGreaterThanOrEqual(p.counterfactual_opportunities);
      expect(cents(p.realised_incremental_pipeline)).toBe(cents(p.observed_pipeline) - cents(p.counterfactual_pipeline));
    }
    let engaged = 0;
    for (const prog of truth.programs) {
      const members = truth.partners.filter((p) => p.program === prog.program);
      expect(prog.partners).toEqual(members.map((p) => p.partner_id));
      const sum = (f: (p: (typeof members)[number]) => string) => members.reduce((a, p) => a + cents(f(p)), 0n);
      expect(cents(prog.realised_incremental_revenue)).toBe(sum((p) => p.realised_incremental_revenue));
      expect(cents(prog.observed_pipeline)).toBe(sum((p) => p.observed_pipeline));
      expect(prog.engaged_accounts).toBe(members.reduce((a, p) => a + p.engaged_accounts, 0));
      engaged += prog.engaged_accounts;
    }
    expect(engaged).toBe(truth.counts['engaged_accounts']);
    // Across all partners the realised effect is positive and of the size the model expects.
    const realised = truth.programs.reduce((a, p) => a + cents(p.realised_incremental_pipeline), 0n);
    const expected = truth.programs.reduce((a, p) => a + cents(p.expected_incremental_pipeline), 0n);
    expect(realised > 0n).toBe(true);
    expect(Number(realised) / Number(expected)).toBeGreaterThan(0.5);
    expect(Number(realised) / Number(expected)).toBeLessThan(2);
  });

  test('the renewal plant is stated and its closed renewals are the ones in the files', () => {
    const r = truth.renewal;
    expect(r.health_effect_log_odds).toBeGreaterThan(0);
    expect(r.description).toMatch(/health/);
    expect(r.realised.mean_health_lost ?? 0).toBeLessThan(r.realised.mean_health_renewed ?? 0);
    const { header, records } = read(dir, 'opportunities');
    const dirty = new Set(truth.dirty_rows.filter((d) => d.table === 'opportunities').map((d) => d.line));
    const [type, closed, won] = ['type', 'is_closed', 'is_won'].map((c) => header.indexOf(c));
    const renewals = records.filter((x) => !dirty.has(x.line) && x.fields[type ?? -1] === 'renewal' && x.fields[closed ?? -1] === 'true');
    expect(renewals.length).toBe(r.realised.closed_renewals);
    expect(renewals.filter((x) => x.fields[won ?? -1] === 'false').length).toBe(r.realised.lost_renewals);
    // The cohort rates are population rates: the intercept at average health sits below them.
    const p = truth.cohorts.params.direct.annual_churn_probability * (1 - truth.cohorts.params.mid_term_share);
    expect(r.base_churn.direct.non_renewal_log_odds).toBeLessThan(Math.log(p / (1 - p)));
  });

  test('the experiment, anomaly, cohorts and identities are planted in the files', () => {
    const exp = truth.experiments[0] as { experiment_id: string; partner_id: string; treatment: { accounts: number }; control: { accounts: number } };
    const { records } = read(dir, 'experiments');
    const dirty = new Set(truth.dirty_rows.filter((d) => d.table === 'experiments').map((d) => d.line));
    const clean = records.filter((r) => !dirty.has(r.line));
    expect(clean.length).toBe(exp.treatment.accounts + exp.control.accounts);
    expect(clean.filter((r) => r.fields[4] === 'treatment').length).toBe(exp.treatment.accounts);
    const drop = truth.anomalies[0] as { partner_touches_in_month: number; baseline_touches_per_month: number };
    expect(drop.partner_touches_in_month).toBeLessThan(drop.baseline_touches_per_month * 0.5);
    const { partner_sourced, direct } = truth.cohorts.realised;
    expect(partner_sourced.customers + direct.customers).toBe(truth.counts['won_new_business']);
    const { header, records: touches } = read(dir, 'touchpoints');
    const accountCol = header.indexOf('account_id');
    for (const d of truth.identities.account_duplicates) {
      expect(d.duplicate_domain.toLowerCase().replace(/^www\./, '')).toBe(d.domain);
    }
    const dupIds = new Set(truth.identities.account_duplicates.map((d) => d.duplicate_account_id));
    if (dupIds.size) expect(touches.some((r) => dupIds.has(r.fields[accountCol] ?? ''))).toBe(true);
    const aliases = new Set(truth.identities.partner_aliases.flatMap((p) => p.aliases));
    const partnerCol = header.indexOf('partner_id');
    expect(touches.some((r) => aliases.has(r.fields[partnerCol] ?? ''))).toBe(true);
  });

  describe('failures', () => {
    test('an unknown scale or a negative seed is a clear user error', async () => {
      await expect(generateDemoData({ seed: -1, scale: 'small', outDir: dir })).rejects.toBeInstanceOf(JointlyError);
      await expect(
        // @ts-expect-error an invalid scale from untyped input
        generateDemoData({ seed: 1, scale: 'huge', outDir: dir }),
      ).rejects.toThrow(/scale one of small\|medium\|large/);
    });
  });
});
