import { describe, expect, test } from 'vitest';
import { ingestPaths, listQuarantine } from '../../src/ingest/index.js';
import { ACCOUNTS, FX, NOW, PARTNERS, freshWarehouse, writeFiles } from './ingest-fixtures.js';

describe('ingest validation', () => {
  test('each kind of bad row is quarantined with its reason, line and column, and every good row loads', async () => {
    const dir = writeFiles({
      'fx_rates.csv': FX,
      'partners.csv': PARTNERS + 'p3,Gamma,notatype,,\n',
      'accounts.csv': ACCOUNTS + 'a3,Charlie,charlie.com,many\na4,Delta,delta.com,-3\n',
      'touchpoints.csv':
        'touchpoint_id,occurred_at,account_id,contact_id,partner_id,channel,touch_type\n' +
        't1,2024-03-01T10:00:00Z,a1,,p1,Partner,click\n' + // line 2 ok
        't2,yesterday,a1,,,paid,click\n' + // line 3 bad_timestamp
        't3,2025-02-01,a1,,,paid,click\n' + // line 4 future_timestamp (NOW is 2024-12-31)
        't4,2024-03-01,a9,,,paid,click\n' + // line 5 unknown_account
        't5,2024-03-01,a1,,p9,partner,click\n' + // line 6 unknown_partner
        't6,2024-03-01,a1,,,paid,clicked\n' + // line 7 bad_enum
        ',2024-03-01,a1,,,paid,click\n' + // line 8 missing_value
        't8,2024-03-01,,,,paid,click\n' + // line 9 missing_account_or_contact
        't9,2024-03-01,a2,,,Organic,visit\n', // line 10 ok
      'opportunities.csv':
        'opportunity_id,account_id,type,created_at,close_date,stage,is_closed,is_won,amount,currency\n' +
        'o1,a1,new_business,2024-02-01,2024-07-01,won,true,true,1000.00,EUR\n' + // ok, closes at 1.20
        'o2,a1,new_business,2024-02-01,,open,false,false,-5,USD\n' + // negative_amount
        'o3,a1,new_business,2024-02-01,,open,no,no,12.345,USD\n' + // bad_amount
        'o4,a1,new_business,2024-02-01,,open,no,no,100,GBP\n' + // no_fx_rate
        'o5,a1,new_business,2024-02-01,,open,maybe,no,100,USD\n' + // bad_boolean
        'o6,a2,upsell,2024-02-01,,open,no,no,100,USD\n' + // bad_enum
        'o7,a2,expansion,2024-02-01,31/02/2024,open,no,no,100,usd\n' + // bad_date
        'o8,a2,expansion,2024-03-01,,open,no,no,250.5,\n', // ok, base currency
      'revenue.csv':
        'revenue_id,account_id,opportunity_id,period_start,period_end,amount,currency,kind\n' +
        'r1,a1,o1,2024-07-01,2024-07-31,100.00,EUR,new\n' +
        'r2,a1,o1,2024-08-01,2024-08-31,-20.00,EUR,refund\n' +
        'r3,a1,o1,2024-08-01,2024-08-31,20.00,EUR,churn\n' + // positive_amount
        'r4,a1,o1,2024-08-01,2024-08-31,-20.00,EUR,renewal\n' + // negative_amount
        'r5,a1,o9,2024-08-01,2024-07-31,5.00,EUR,new\n', // unknown_opportunity
    });
    const wh = await freshWarehouse();
    const result = await ingestPaths(wh, [dir], { now: NOW });
    const byTable = Object.fromEntries(result.files.map((f) => [f.table, f]));
    for (const f of result.files) expect(f.rows_in).toBe(f.loaded + f.updated + f.duplicates + f.quarantined);
    expect(byTable['touchpoints']).toMatchObject({ rows_in: 9, loaded: 2, quarantined: 7 });
    expect(byTable['opportunities']).toMatchObject({ rows_in: 8, loaded: 2, quarantined: 6 });

    const q = await listQuarantine(wh, { batchId: result.batch_id });
    const got = q
      .map((r) => [r.table, r.line, r.column, r.reason_code])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[1]) - Number(b[1]));
    expect(got).toEqual([
      ['accounts', 4, 'employees', 'bad_integer'],
      ['accounts', 5, 'employees', 'out_of_range'],
      ['opportunities', 3, 'amount', 'negative_amount'],
      ['opportunities', 4, 'amount', 'bad_amount'],
      ['opportunities', 5, 'currency', 'no_fx_rate'],
      ['opportunities', 6, 'is_closed', 'bad_boolean'],
      ['opportunities', 7, 'type', 'bad_enum'],
      ['opportunities', 8, 'close_date', 'bad_date'],
      ['partners', 4, 'partner_type', 'bad_enum'],
      ['revenue', 4, 'amount', 'positive_amount'],
      ['revenue', 5, 'amount', 'negative_amount'],
      ['revenue', 6, 'opportunity_id', 'unknown_opportunity'],
      ['touchpoints', 3, 'occurred_at', 'bad_timestamp'],
      ['touchpoints', 4, 'occurred_at', 'future_timestamp'],
      ['touchpoints', 5, 'account_id', 'unknown_account'],
      ['touchpoints', 6, 'partner_id', 'unknown_partner'],
      ['touchpoints', 7, 'touch_type', 'bad_enum'],
      ['touchpoints', 8, 'touchpoint_id', 'missing_value'],
      ['touchpoints', 9, 'account_id', 'missing_account_or_contact'],
    ]);
    expect(q.find((r) => r.reason_code === 'bad_timestamp')?.reason).toContain('"yesterday"');

    const tps = await wh.all(`select touchpoint_id, occurred_at, partner_id, channel from core.touchpoints order by 1`);
    expect(tps).toEqual([
      { touchpoint_id: 't1', occurred_at: '2024-03-01 10:00:00', partner_id: 'p1', channel: 'partner' },
      { touchpoint_id: 't9', occurred_at: '2024-03-01 00:00:00', partner_id: null, channel: 'organic' },
    ]);
    // Money: original amount and currency kept; base at the latest rate valid on the close date.
    const opps = await wh.all(`select opportunity_id, amount, currency, amount_base from core.opportunities order by 1`);
    expect(opps).toEqual([
      { opportunity_id: 'o1', amount: '1000.00', currency: 'EUR', amount_base: '1200.00' },
      { opportunity_id: 'o8', amount: '250.50', currency: 'USD', amount_base: '250.50' },
    ]);
    const rev = await wh.all(`select revenue_id, amount, amount_base, kind from core.revenue order by 1`);
    expect(rev).toEqual([
      { revenue_id: 'r1', amount: '100.00', amount_base: '120.00', kind: 'new' },
      { revenue_id: 'r2', amount: '-20.00', amount_base: '-24.00', kind: 'refund' },
    ]);
    await wh.close();
  });

  test('spreadsheet date forms are normalised to UTC timestamps', async () => {
    const dir = writeFiles({
      'accounts.csv': ACCOUNTS,
      'touchpoints.csv':
        'touchpoint_id,occurred_at,account_id,channel,touch_type\n' +
        'iso,2024-03-05,a1,paid,click\n' +
        'isoz,2024-03-05T08:30:00Z,a1,paid,click\n' +
        'offset,2024-03-05T10:30:00+02:00,a1,paid,click\n' +
        'space,2024-03-05 08:30,a1,paid,click\n' +
        'us,03/05/2024,a1,paid,click\n' +
        'ustime,3/5/2024 08:30,a1,paid,click\n' +
        'eu,05.03.2024,a1,paid,click\n' +
        'eutime,05.03.2024 08:30:15,a1,paid,click\n',
    });
    const wh = await freshWarehouse();
    await ingestPaths(wh, [dir], { now: NOW });
    const rows = await wh.all(`select touchpoint_id as id, occurred_at::varchar as at from core.touchpoints order by 1`);
    expect(rows).toEqual([
      { id: 'eu', at: '2024-03-05 00:00:00' },
      { id: 'eutime', at: '2024-03-05 08:30:15' },
      { id: 'iso', at: '2024-03-05 00:00:00' },
      { id: 'isoz', at: '2024-03-05 08:30:00' },
      { id: 'offset', at: '2024-03-05 08:30:00' },
      { id: 'space', at: '2024-03-05 08:30:00' },
      { id: 'us', at: '2024-03-05 00:00:00' },
      { id: 'ustime', at: '2024-03-05 08:30:00' },
    ]);
    await wh.close();
  });

  test('a BOM, quoted commas and quoted line breaks are read, and lines count the breaks', async () => {
    const csv =
      '\ufefftouchpoint_id,occurred_at,account_id,channel,touch_type,note\n' +
      't1,2024-03-01,a1,paid,click,"hello, world"\n' +
      't2,2024-03-01,a1,paid,click,"two\nlines"\n' +
      't3,2024-03-01,a1,paid,"clk",x\n' + // physical line 5: bad_enum
      't4,2024-03-01,a1,paid,click,"three\r\nmore\nlines"\n' +
      't5,not-a-date,a1,paid,click,\n'; // physical line 9 (t4 spans lines 6-8)
    const dir = writeFiles({ 'accounts.csv': ACCOUNTS, 'touchpoints.csv': csv });
    const wh = await freshWarehouse();
    const r = await ingestPaths(wh, [dir], { now: NOW });
    expect(r.files.find((f) => f.table === 'touchpoints')).toMatchObject({ rows_in: 5, loaded: 3, quarantined: 2 });
    const q = await listQuarantine(wh);
    expect(q.map((x) => [x.line, x.row_number, x.reason_code])).toEqual([
      [5, 3, 'bad_enum'],
      [9, 5, 'bad_timestamp'],
    ]);
    const rows = await wh.all(`select touchpoint_id, attributes->>'note' as note, source_line::integer as line from core.touchpoints order by 1`);
    expect(rows).toEqual([
      { touchpoint_id: 't1', note: 'hello, world', line: 2 },
      { touchpoint_id: 't2', note: 'two\nlines', line: 3 },
      { touchpoint_id: 't4', note: 'three\r\nmore\nlines', line: 6 },
    ]);
    await wh.close();
  });

  test('NDJSON and Parquet files load like CSV', async () => {
    const dir = writeFiles({
      'partners.ndjson':
        '{"partner_id":"p1","name":"Acme","partner_type":"reseller","aliases":["ACME","acme-sf"],"extra":{"x":1}}\n' +
        '{"partner_id":"p2","name":"Beta","partner_type":"nope"}\n',
    });
    const wh = await freshWarehouse();
    // A Parquet file written by DuckDB itself.
    const parquet = `${dir}/accounts.parquet`;
    await wh.run(
      `copy (select * from (values ('a1', 'Alpha', 'alpha.com', 10), ('a2', 'Bravo', null, -1)) v(account_id, name, domain, employees)) to '${parquet}' (format parquet)`,
    );
    const r = await ingestPaths(wh, [dir], { now: NOW });
    expect(r.files.map((f) => [f.table, f.rows_in, f.loaded, f.quarantined])).toEqual([
      ['partners', 2, 1, 1],
      ['accounts', 2, 1, 1],
    ]);
    expect(await wh.all(`select partner_id, aliases, attributes::varchar as a from core.partners`)).toEqual([
      { partner_id: 'p1', aliases: ['ACME', 'acme-sf'], a: '{"extra":{"x":1}}' },
    ]);
    const q = await listQuarantine(wh);
    expect(q.map((x) => [x.table, x.line, x.row_number, x.reason_code])).toEqual([
      ['accounts', null, 2, 'out_of_range'],
      ['partners', 2, 2, 'bad_enum'],
    ]);
    await wh.close();
  });
});
