import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeModes, makeApp, type TestApp } from './support/app.js';

describeModes('smoke', (mode) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp({ mode });
  });
  afterAll(() => t.close());
  it('answers healthz and readyz', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const r = await t.app.inject({ url: '/readyz' });
    expect(r.statusCode).toBe(200);
    expect(r.json().queue).toBe(mode);
  });
});
