/**
 * The first load of a table goes straight from validation into core and then looks again at the
 * rows that did not load and at later copies of a key (src/ingest/load-file.ts, direct path); a
 * table that already holds rows takes the staged path. Both must give the same verdicts, lines
 * and rows, also when quoted line breaks shift the physical lines.
 */
import { describe, expect, test } from 'vitest';
import { ingestPaths, listQuarantine } from '../../src/ingest/index.js';
import type { Warehouse } from '../../src/warehouse/index.js';
import { ACCOUNTS, NOW, freshWarehouse, writeFiles } from './ingest-fixtures.js';

const HEADER = 'touchpoint_id,occurred_at,account_id,channel,touch_type,note\n';
// Physical lines in the comments; data rows are numbered from 1.
const TOUCHPOINTS =
  HEADER +
  't1,2024-03-01,a1,paid,click,x\n' + // line 2, row 1
  't2,2024-03-02,a1,paid,click,"two\nlines"\n' + // lines 3-4, row 2
  't1,2024-03-01,a1,paid,click,x\n' + // line 5, row 3: identical copy of row 1
  't1,2024-03-09,a1,paid,click,x\n' + // line 6, row 4: same key, other content
  't3,2024-03-01,a1,paid,clk,x\n' + // line 7, row 5: bad enum
  't5,2024-03-05,a2,paid,visit,"x\ny\nz"\n' + // lines 8-10, row 6
  't2,2024-03-02,a2,paid,click,"two\nlines"\n' + // lines 11-12, row 7: same key as row 2, other content
  't6,2024-03-06,a9,paid,click,\n'; // line 13, row 8: unknown account

async function outcome(wh: Warehouse, batchId: number): Promise<unknown> {
  const quarantine = (await listQuarantine(wh, { batchId })).map((x) => [x.line, x.row_number, x.column, x.reason_code, x.reason]);
  const core = await wh.all(
    `select touchpoint_id, occurred_at::varchar as occurred_at, account_id, source_line::integer as line, attributes->>'note' as note
     from core.touchpoints where batch_id = ${batchId} order by touchpoint_id`,
  );
  return { quarantine, core };
}

describe('ingest: direct path for a table without rows', () => {
  test('verdicts, lines and rows match the staged path, with within-file copies and quoted line breaks', async () => {
    const dir = writeFiles({ 'accounts.csv': ACCOUNTS, 'touchpoints.csv': TOUCHPOINTS });
    const direct = await freshWarehouse();
    const r1 = await ingestPaths(direct, [dir], { now: NOW });
    const counts = r1.files.find((f) => f.table === 'touchpoints');
    expect(counts).toMatchObject({ rows_in: 8, loaded: 3, updated: 0, duplicates: 1, quarantined: 4 });
    const got = await outcome(direct, r1.batch_id);
    expect(got).toEqual({
      quarantine: [
        [6, 4, 'touchpoint_id', 'duplicate_key', 'touchpoint_id: the key appears earlier in this file (row 1) with different content'],
        [7, 5, 'touch_type', 'bad_enum', expect.stringContaining('"clk"')],
        [11, 7, 'touchpoint_id', 'duplicate_key', 'touchpoint_id: the key appears earlier in this file (row 2) with different content'],
        [13, 8, 'account_id', 'unknown_account', expect.stringContaining('"a9"')],
      ],
      core: [
        { touchpoint_id: 't1', occurred_at: '2024-03-01 00:00:00', account_id: 'a1', line: 2, note: 'x' },
        { touchpoint_id: 't2', occurred_at: '2024-03-02 00:00:00', account_id: 'a1', line: 3, note: 'two\nlines' },
        { touchpoint_id: 't5', occurred_at: '2024-03-05 00:00:00', account_id: 'a2', line: 8, note: 'x\ny\nz' },
      ],
    });
    const q = await direct.all(`select raw->>'touchpoint_id' as id, raw->>'occurred_at' as at from meta.quarantine where reason_code = 'duplicate_key' order by line`);
    expect(q).toEqual([
      { id: 't1', at: '2024-03-09 00:00:00' },
      { id: 't2', at: '2024-03-02 00:00:00' },
    ]);
    await direct.close();

    // The same file into a warehouse whose touchpoints table already holds an unrelated row.
    const other = writeFiles({ 'accounts.csv': ACCOUNTS, 'touchpoints.csv': HEADER + 't0,2024-01-01,a1,paid,click,\n' });
    const staged = await freshWarehouse();
    await ingestPaths(staged, [other], { now: NOW });
    const r2 = await ingestPaths(staged, [dir], { now: NOW });
    expect(r2.files.find((f) => f.table === 'touchpoints')).toEqual(counts);
    expect(await outcome(staged, r2.batch_id)).toEqual(got);
    await staged.close();
  });

  test('lines stay exact when quoted line breaks fall in many rows, on both paths (several in one bucket of rows, on bucket edges, in the last row)', async () => {
    // 300 rows; rows with breaks: 1, 2, 63, 64, 65, 128, 129, 200 (3 breaks), 250, 300. Row 150
    // is bad (unknown account), so the quarantine's line is checked too.
    const withBreaks = new Map([[1, 1], [2, 2], [63, 1], [64, 1], [65, 1], [128, 2], [129, 1], [200, 3], [250, 1], [300, 1]]);
    let text = HEADER;
    const expected: { touchpoint_id: string; line: number }[] = [];
    let line = 2;
    for (let row = 1; row <= 300; row += 1) {
      const breaks = withBreaks.get(row) ?? 0;
      const note = breaks ? `"${Array.from({ length: breaks + 1 }, (_, i) => `part ${i}`).join('\n')}"` : 'plain';
      const account = row === 150 ? 'a9' : 'a1';
      text += `t${String(row).padStart(3, '0')},2024-03-01,${account},paid,click,${note}\n`;
      if (row !== 150) expected.push({ touchpoint_id: `t${String(row).padStart(3, '0')}`, line });
      else expected.push({ touchpoint_id: 'quarantined', line });
      line += breaks + 1;
    }
    const bad = expected.find((e) => e.touchpoint_id === 'quarantined')!.line;
    const loadedLines = expected.filter((e) => e.touchpoint_id !== 'quarantined');
    const dir = writeFiles({ 'accounts.csv': ACCOUNTS, 'touchpoints.csv': text });
    const lines = async (wh: Warehouse, batchId: number): Promise<unknown> => ({
      core: await wh.all(`select touchpoint_id, source_line::integer as line from core.touchpoints where batch_id = ${batchId} order by 1`),
      quarantine: (await listQuarantine(wh, { batchId })).map((x) => [x.line, x.row_number, x.reason_code]),
    });
    const want = { core: loadedLines, quarantine: [[bad, 150, 'unknown_account']] };
    const direct = await freshWarehouse();
    const r1 = await ingestPaths(direct, [dir], { now: NOW });
    expect(await lines(direct, r1.batch_id)).toEqual(want);
    await direct.close();
    const other = writeFiles({ 'accounts.csv': ACCOUNTS, 'touchpoints.csv': HEADER + 't000,2024-01-01,a1,paid,click,\n' });
    const staged = await freshWarehouse();
    await ingestPaths(staged, [other], { now: NOW });
    const r2 = await ingestPaths(staged, [dir], { now: NOW });
    expect(await lines(staged, r2.batch_id)).toEqual(want);
    await staged.close();
  });

  test('accounts: the first load (direct) gives the same verdicts, aliases, lines and rows as the staged path', async () => {
    const accounts =
      'account_id,name,domain,employees\n' +
      'a1,Alpha,acme.com,10\n' + // line 2: loads
      'a2,"Alpha\nEU",www.Acme.com,20\n' + // lines 3-4: same domain, new id: alias of a1
      'a3,Beta,beta.com,30\n' + // line 5: loads
      'a1,Alpha,acme.com,10\n' + // line 6: identical copy of a1: duplicate
      'a3,Beta,beta.com,31\n' + // line 7: same key, other content: duplicate_key
      'a4,Empty,,5\n' + // line 8: no domain: loads
      'a5,None,,6\n' + // line 9: no domain either: loads
      'a6,Gamma,https://gamma.io/x,7\n' + // line 10: loads
      'a7,Gamma UK,gamma.io,8\n' + // line 11: alias of a6
      'a7,Gamma UK,gamma.io,8\n' + // line 12: identical copy of a7: duplicate
      'a8,Delta,delta.com,many\n' + // line 13: bad_integer (and so no first-seen id of delta.com)
      'a9,Delta Two,delta.com,9\n' + // line 14: loads (the only good row of delta.com)
      'a10,Acme Bad,acme.com,-1\n'; // line 15: out_of_range
    const outcomeOf = async (wh: Warehouse, batchId: number): Promise<unknown> => ({
      core: await wh.all(`select account_id, domain, employees, source_line::integer as line from core.accounts where batch_id = ${batchId} order by 1`),
      aliases: await wh.all(`select alias_id, account_id, reason from core.account_aliases where batch_id = ${batchId} order by 1`),
      quarantine: (await listQuarantine(wh, { batchId })).map((x) => [x.line, x.row_number, x.reason_code]),
    });
    const dir = writeFiles({ 'accounts.csv': accounts });
    const direct = await freshWarehouse();
    const r1 = await ingestPaths(direct, [dir], { now: NOW });
    expect(r1.files[0]).toMatchObject({ rows_in: 13, loaded: 6, updated: 0, duplicates: 4, quarantined: 3 });
    const got = await outcomeOf(direct, r1.batch_id);
    expect(got).toEqual({
      core: [
        { account_id: 'a1', domain: 'acme.com', employees: 10, line: 2 },
        { account_id: 'a3', domain: 'beta.com', employees: 30, line: 5 },
        { account_id: 'a4', domain: null, employees: 5, line: 8 },
        { account_id: 'a5', domain: null, employees: 6, line: 9 },
        { account_id: 'a6', domain: 'gamma.io', employees: 7, line: 10 },
        { account_id: 'a9', domain: 'delta.com', employees: 9, line: 14 },
      ],
      aliases: [
        { alias_id: 'a2', account_id: 'a1', reason: 'same domain acme.com' },
        { alias_id: 'a7', account_id: 'a6', reason: 'same domain gamma.io' },
      ],
      quarantine: [
        [7, 5, 'duplicate_key'],
        [13, 11, 'bad_integer'],
        [15, 13, 'out_of_range'],
      ],
    });
    await direct.close();
    // The same file into a warehouse whose accounts table already holds an unrelated account.
    const other = writeFiles({ 'accounts.csv': 'account_id,name,domain,employees\nz1,Zulu,zulu.com,1\n' });
    const staged = await freshWarehouse();
    await ingestPaths(staged, [other], { now: NOW });
    const r2 = await ingestPaths(staged, [dir], { now: NOW });
    expect(r2.files[0]).toEqual({ ...r1.files[0] });
    expect(await outcomeOf(staged, r2.batch_id)).toEqual(got);
    await staged.close();
  });

  test('a table with optional key columns and PII keys: later copies with a null key part are found', async () => {
    process.env['JOINTLY_PII_KEY'] ??= 'test-key-for-ingest-direct-0123';
    const usage =
      'account_id,occurred_at,event,user_id,quantity\n' +
      'a1,2024-03-01,login,u1,1\n' +
      'a1,2024-03-01,login,,1\n' +
      'a1,2024-03-01,login,,2\n' + // same key as row 2 (user_id empty), other content
      'a1,2024-03-01,login,U1,1\n'; // user ids are hashed as given: another key than u1
    const dir = writeFiles({ 'accounts.csv': ACCOUNTS, 'usage.csv': usage });
    const wh = await freshWarehouse();
    const r = await ingestPaths(wh, [dir], { now: NOW });
    expect(r.files.find((f) => f.table === 'usage')).toMatchObject({ rows_in: 4, loaded: 3, duplicates: 0, quarantined: 1 });
    expect((await listQuarantine(wh, { batchId: r.batch_id })).map((x) => [x.line, x.reason_code])).toEqual([[4, 'duplicate_key']]);
    await wh.close();
  });

  test('money converts at the rate valid on the row\'s day: first and last days of a rate, before the first rate, after the last', async () => {
    const fx = 'currency,valid_from,rate_to_base\nEUR,2024-01-01,1.10\nEUR,2024-06-01,1.20\nGBP,2024-03-01,1.25\n';
    // [id, created_at, close_date, closed, currency] -> the day that converts: close_date when closed, else created_at.
    const rows: [string, string, string, boolean, string][] = [
      ['o1', '2023-12-31 23:59', '', false, 'EUR'], // before EUR's first rate: no_fx_rate
      ['o2', '2024-01-01', '', false, 'EUR'], // first day of 1.10
      ['o3', '2024-05-31 23:59:59', '', false, 'EUR'], // last day of 1.10
      ['o4', '2024-06-01 00:00', '', false, 'EUR'], // first day of 1.20
      ['o5', '2024-12-30', '', false, 'EUR'], // after the last EUR rate: 1.20
      ['o6', '2024-02-29', '', false, 'GBP'], // before GBP's first rate: no_fx_rate
      ['o7', '2024-08-01', '2024-05-31', true, 'EUR'], // closed: close_date's day, 1.10
      ['o8', '2024-02-01', '2030-01-01', true, 'GBP'], // closed in the future (dates may be): last GBP rate
      ['o9', '2024-02-01', '', false, 'USD'], // base currency
    ];
    const opps =
      'opportunity_id,account_id,type,created_at,close_date,stage,is_closed,is_won,amount,currency\n' +
      rows.map(([id, created, close, closed, cur]) => `${id},a1,new_business,${created},${close},${closed ? 'won' : 'open'},${closed},${closed},100.00,${cur}`).join('\n') +
      '\n';
    const dir = writeFiles({ 'fx_rates.csv': fx, 'accounts.csv': ACCOUNTS, 'opportunities.csv': opps });
    const wh = await freshWarehouse();
    const r = await ingestPaths(wh, [dir], { now: NOW });
    expect(r.files.find((f) => f.table === 'opportunities')).toMatchObject({ loaded: 7, quarantined: 2 });
    expect((await listQuarantine(wh, { batchId: r.batch_id })).map((x) => [x.raw?.['opportunity_id'], x.reason_code])).toEqual([
      ['o1', 'no_fx_rate'],
      ['o6', 'no_fx_rate'],
    ]);
    expect(await wh.all(`select opportunity_id, amount_base::varchar as base from core.opportunities order by 1`)).toEqual([
      { opportunity_id: 'o2', base: '110.00' },
      { opportunity_id: 'o3', base: '110.00' },
      { opportunity_id: 'o4', base: '120.00' },
      { opportunity_id: 'o5', base: '120.00' },
      { opportunity_id: 'o7', base: '110.00' },
      { opportunity_id: 'o8', base: '125.00' },
      { opportunity_id: 'o9', base: '100.00' },
    ]);
    await wh.close();
  });
});
