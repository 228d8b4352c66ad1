import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.databasePath).toBe('./data/enforcement.db');
    expect(c.redisUrl).toBeUndefined();
    expect(c.seedDemo).toBe(false);
    expect(c.jointBufferMeters).toBe(1000);
  });

  it.each([
    ['PORT', 'abc', /PORT/],
    ['PORT', '70000', /PORT/],
    ['REDIS_URL', 'http://localhost:6379', /REDIS_URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
    ['SEED_DEMO', 'maybe', /SEED_DEMO/],
    ['ADMIN_API_KEY', 'short', /ADMIN_API_KEY/],
    ['PII_KEY', 'nothex', /PII_KEY/],
  ])('rejects %s=%s with a line naming the variable', (name, value, re) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(re);
  });

  it('parses typed values', () => {
    const c = loadConfig({ PORT: '8080', SEED_DEMO: 'true', REDIS_URL: 'redis://127.0.0.1:6379', WORKERS: 'off' });
    expect(c).toMatchObject({ port: 8080, seedDemo: true, redisUrl: 'redis://127.0.0.1:6379', workers: false });
  });

  it('stops the process with one clear line on a bad value', () => {
    const r = spawnSync('npx', ['tsx', 'src/server.ts'], { env: { ...process.env, PORT: 'nope', REDIS_URL: '' }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(78);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^invalid configuration: PORT /);
  });
});
