/**
 * Engagement through the API (issue 5 readers): scores by grouping and alerts from the latest
 * engagement run, scoped to a partner token's own partner and filtered by its agreement.
 */
import { describe, expect, test } from 'vitest';
import { getAlerts, getEngagement, runEngagement } from '../../src/engagement/index.js';
import { useApiServer } from './api-fixture.js';

const api = useApiServer();
const { get } = api;

describe('engagement', () => {
  test('before any engagement run the routes are 404s that say what to run', async () => {
    for (const url of ['/api/v1/engagement', '/api/v1/alerts']) {
      const res = await get(url, api.tokens.analyst);
      expect(res.status).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'NO_DATA', message: expect.stringMatching(/jointly engagement/) } });
    }
  });

  test('scores by partner and by activity type are the stored ones, best first', async () => {
    await runEngagement(api.wh, { model: 'linear' });
    await new Promise((r) => setTimeout(r, 1100)); // the data version is read at most once a second
    for (const by of ['partner', 'activity_type'] as const) {
      const stored = await getEngagement(api.wh, { by });
      expect(stored.rows.length).toBeGreaterThan(0);
      const body = (await get(`/api/v1/engagement?by=${by}`, api.tokens.analyst)).json();
      expect(body).toMatchObject({ run_id: stored.run.run_id, by, total: stored.rows.length });
      expect((body['items'] as { key: string; engagement_score: number | null }[]).map((r) => [r.key, r.engagement_score])).toEqual(
        stored.rows.map((r) => [r.key, r.score]),
      );
    }
  });

  test('a partner token reads only its own engagement and alerts, and not another partner\'s', async () => {
    const mine = (await get('/api/v1/engagement?by=partner', api.tokens.partnerA)).json()['items'] as { key: string }[];
    expect(mine.map((r) => r.key)).toEqual((await getEngagement(api.wh, { by: 'partner', partnerId: 'p_a' })).rows.map((r) => r.key));
    expect(mine.every((r) => r.key === 'p_a')).toBe(true);
    expect((await get('/api/v1/engagement?partnerId=p_b', api.tokens.partnerA)).status).toBe(403);
    expect((await get('/api/v1/alerts?partnerId=p_b', api.tokens.partnerA)).status).toBe(403);
    const alerts = (await get('/api/v1/alerts', api.tokens.partnerA)).json();
    expect(alerts['total']).toBe((await getAlerts(api.wh, { partnerId: 'p_a' })).alerts.length);
  });

  test('a bad grouping names the parameter', async () => {
    const res = await get('/api/v1/engagement?by=region', api.tokens.analyst);
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: { message: expect.stringMatching(/"by"/) } });
  });
});
