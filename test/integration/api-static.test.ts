/**
 * The dashboard's files are looked up per request: a rebuild while the server runs (new hashed
 * asset names) is served without a restart, a missing asset is a 404 (not the dashboard page
 * as HTML), and paths without an extension fall back to the single-page app.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/api/index.js';
import { Warehouse } from '../../src/warehouse/index.js';

let dir: string;
let web: string;
let wh: Warehouse;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'jointly-static-'));
  web = join(dir, 'dist');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>dash v1</title>');
  writeFileSync(join(web, 'assets', 'index-aaa.js'), 'console.log("v1")');
  wh = await Warehouse.open(join(dir, 'w.duckdb'));
  app = await buildServer({ wh, webRoot: web });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('static files', () => {
  test('an asset present at start is served with its type', async () => {
    const res = await app.inject({ url: '/assets/index-aaa.js' });
    expect([res.statusCode, res.headers['content-type'], res.body]).toEqual([200, 'application/javascript; charset=utf-8', 'console.log("v1")']);
  });

  test('an asset written after the server started (a rebuild) is found', async () => {
    writeFileSync(join(web, 'assets', 'index-bbb.js'), 'console.log("v2")');
    writeFileSync(join(web, 'assets', 'index-bbb.css'), 'body{}');
    const js = await app.inject({ url: '/assets/index-bbb.js' });
    expect([js.statusCode, js.headers['content-type'], js.body]).toEqual([200, 'application/javascript; charset=utf-8', 'console.log("v2")']);
    expect((await app.inject({ url: '/assets/index-bbb.css' })).headers['content-type']).toMatch(/^text\/css/);
  });

  test('a missing asset is a 404, not the dashboard page', async () => {
    const res = await app.inject({ url: '/assets/index-gone.js' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).not.toMatch(/html/);
  });

  test('pages without an extension are the single-page app, reading the current index.html', async () => {
    for (const url of ['/', '/partners/p_a', '/deals/o1?model=linear']) {
      const res = await app.inject({ url });
      expect([url, res.statusCode, res.headers['content-type']]).toEqual([url, 200, 'text/html; charset=utf-8']);
    }
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>dash v2</title>');
    expect((await app.inject({ url: '/partners' })).body).toContain('dash v2');
  });

  test('unknown API paths stay JSON 404s', async () => {
    const res = await app.inject({ url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
