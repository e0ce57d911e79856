import { describe, expect, test } from 'vitest';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestPaths, listQuarantine, PII_KEY_ENV } from '../../src/ingest/index.js';
import { Warehouse } from '../../src/warehouse/index.js';
import { ACCOUNTS, FX, NOW, PARTNERS, freshWarehouse, tempDir, writeFiles } from './ingest-fixtures.js';

describe('identity resolution', () => {
  test('partner aliases resolve onto partner_id wherever a partner is referenced; unknown partners are quarantined', async () => {
    const dir = writeFiles({
      'fx_rates.csv': FX,
      'partners.csv': PARTNERS,
      'accounts.csv': ACCOUNTS,
      'activities.csv':
        'activity_id,partner_ids,activity_type,name,start_at,cost,currency\n' +
        'act1,ACME|p2,webinar,Joint webinar,2024-03-01,500.00,EUR\n' +
        'act2,p2|Nobody,event,Summit,2024-04-01,,\n',
      'touchpoints.csv':
        'touchpoint_id,occurred_at,account_id,activity_id,partner_id,channel,touch_type\n' +
        't1,2024-03-01,a1,act1,acme,partner,attended\n',
      'opportunities.csv':
        'opportunity_id,account_id,type,created_at,stage,is_closed,is_won,amount,sourced_partner_id,registered_partner_id\n' +
        'o1,a1,new_business,2024-03-02,open,false,false,10.00,Acme-SF,P2\n',
      'experiments.csv': 'experiment_id,account_id,partner_id,arm,assigned_at\nx1,a1,ACME,treatment,2024-01-01\nx1,a2,Ghost,control,2024-01-01\n',
      'feedback.csv': 'feedback_id,partner_id,submitted_at,rating\nf1,acme,2024-05-01,5\nf2,p1,2024-05-01,6\n',
    });
    const wh = await freshWarehouse();
    await ingestPaths(wh, [dir], { now: NOW });
    expect(await wh.all(`select activity_id, partner_ids, cost_base from core.activities`)).toEqual([
      { activity_id: 'act1', partner_ids: ['p1', 'p2'], cost_base: '550.00' },
    ]);
    expect(await wh.all(`select partner_id from core.touchpoints`)).toEqual([{ partner_id: 'p1' }]);
    expect(await wh.all(`select sourced_partner_id, registered_partner_id from core.opportunities`)).toEqual([
      { sourced_partner_id: 'p1', registered_partner_id: 'p2' },
    ]);
    expect(await wh.all(`select account_id, partner_id from core.experiments`)).toEqual([{ account_id: 'a1', partner_id: 'p1' }]);
    expect(await wh.all(`select feedback_id, partner_id from core.feedback`)).toEqual([{ feedback_id: 'f1', partner_id: 'p1' }]);
    const q = await listQuarantine(wh);
    expect(q.map((r) => [r.table, r.column, r.reason_code]).sort()).toEqual([
      ['activities', 'partner_ids', 'unknown_partner'],
      ['experiments', 'partner_id', 'unknown_partner'],
      ['feedback', 'rating', 'out_of_range'],
    ]);
    expect(await wh.all(`select count(*)::integer as n from core.partners`)).toEqual([{ n: 2 }]);
    await wh.close();
  });

  test('accounts with the same normalised domain become aliases of the first-seen id, and references follow', async () => {
    const wh = await freshWarehouse();
    await ingestPaths(wh, [writeFiles({ 'accounts.csv': ACCOUNTS })], { now: NOW });
    const second = writeFiles({
      'accounts.csv':
        'account_id,name,domain\n' +
        'crm-9,Alpha Inc,ALPHA.com.\n' + // same domain as a1 (https://www.alpha.com/about)
        'x1,Xray,xray.dev\n' +
        'x2,Xray EU,http://www.XRAY.dev/eu\n', // same domain as x1, in the same file
      'contacts.csv': 'contact_id,account_id,email\nc1,crm-9,\nc2,x2,\n',
      'touchpoints.csv':
        'touchpoint_id,occurred_at,account_id,contact_id,channel,touch_type\n' +
        't1,2024-03-01,crm-9,,paid,click\n' +
        't2,2024-03-01,,c2,email,click\n', // only a contact: the account comes from the contact
    });
    const r = await ingestPaths(wh, [second], { now: NOW });
    expect(r.files[0]).toMatchObject({ table: 'accounts', rows_in: 3, loaded: 1, duplicates: 2, quarantined: 0 });
    expect(await wh.all(`select alias_id, account_id, reason from core.account_aliases order by 1`)).toEqual([
      { alias_id: 'crm-9', account_id: 'a1', reason: 'same domain alpha.com' },
      { alias_id: 'x2', account_id: 'x1', reason: 'same domain xray.dev' },
    ]);
    expect(await wh.all(`select account_id, domain from core.accounts order by 1`)).toEqual([
      { account_id: 'a1', domain: 'alpha.com' },
      { account_id: 'a2', domain: 'bravo.io' },
      { account_id: 'x1', domain: 'xray.dev' },
    ]);
    expect(await wh.all(`select contact_id, account_id from core.contacts order by 1`)).toEqual([
      { contact_id: 'c1', account_id: 'a1' },
      { contact_id: 'c2', account_id: 'x1' },
    ]);
    expect(await wh.all(`select touchpoint_id, account_id, contact_id from core.touchpoints order by 1`)).toEqual([
      { touchpoint_id: 't1', account_id: 'a1', contact_id: null },
      { touchpoint_id: 't2', account_id: 'x1', contact_id: 'c2' },
    ]);
    // Loading the aliased accounts again adds nothing.
    const again = await ingestPaths(wh, [join(second, 'accounts.csv')], { now: NOW });
    expect(again.files[0]).toMatchObject({ loaded: 0, updated: 0, duplicates: 3 });
    expect(await wh.all(`select count(*)::integer as n from core.account_aliases`)).toEqual([{ n: 2 }]);
    await wh.close();
  });
});

describe('personal data', () => {
  const key = process.env[PII_KEY_ENV] ?? '';
  const hmac = (v: string): string => createHmac('sha256', key).update(v).digest('hex');

  test('emails and user ids are stored only as the keyed HMAC that node:crypto computes', async () => {
    expect(key.length).toBeGreaterThan(0);
    const dir = writeFiles({
      'accounts.csv': ACCOUNTS,
      'contacts.csv':
        'contact_id,account_id,email,created_at\n' +
        'c1,a1,Jörg.Müller@Example.COM,2024-01-01\n' +
        'c2,a1,ann@example.com,2024-01-01\n' +
        'c3,a1,secret.person@example.com,not-a-date\n', // quarantined: its raw row must not hold the email
      'usage.csv': 'account_id,occurred_at,event,user_id\na1,2024-02-01,login,User-42\n',
    });
    const dbPath = join(tempDir(), 'pii.duckdb');
    const wh = await Warehouse.open(dbPath);
    await ingestPaths(wh, [dir], { now: NOW });
    expect(await wh.all(`select contact_id, email_hash from core.contacts order by 1`)).toEqual([
      { contact_id: 'c1', email_hash: hmac('jörg.müller@example.com') },
      { contact_id: 'c2', email_hash: hmac('ann@example.com') },
    ]);
    expect(await wh.all(`select user_id_hash from core.usage`)).toEqual([{ user_id_hash: hmac('User-42') }]);
    const q = await listQuarantine(wh);
    expect(q[0]?.raw?.['email']).toBe(`hmac:${hmac('secret.person@example.com')}`);
    // No table anywhere holds a raw value.
    const tables = await wh.all<{ t: string }>(
      `select table_schema || '.' || table_name as t from information_schema.tables where table_schema in ('core', 'meta', 'raw')`,
    );
    for (const { t } of tables) {
      const hits = await wh.all(
        `select count(*)::integer as n from ${t} x where lower(to_json(x)::varchar) similar to '.*(example\\.com|user-42).*'`,
      );
      expect({ t, hits }).toEqual({ t, hits: [{ n: 0 }] });
    }
    await wh.close();
    const bytes = readFileSync(dbPath).toString('latin1').toLowerCase();
    expect(bytes.includes('example.com')).toBe(false);
  });

  test('a file with personal data and no key fails with a message that says how to set it', async () => {
    const dir = writeFiles({ 'contacts.csv': 'contact_id,account_id,email\nc1,a1,a@b.c\n' });
    const wh = await freshWarehouse();
    const saved = process.env[PII_KEY_ENV];
    delete process.env[PII_KEY_ENV];
    try {
      await expect(ingestPaths(wh, [dir], { now: NOW })).rejects.toThrow(/contacts\.csv has personal data \(email\) and JOINTLY_PII_KEY is not set/);
    } finally {
      process.env[PII_KEY_ENV] = saved;
    }
    expect(await wh.all(`select count(*)::integer as n from core.contacts`)).toEqual([{ n: 0 }]);
    await wh.close();
  });
});
