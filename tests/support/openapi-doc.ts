import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';

/** The OpenAPI document the routes produce (fixed config so it is reproducible). */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'enf-openapi-'));
  const app = await buildApp(loadConfig({ DATABASE_PATH: join(dir, 'o.db'), LOG_LEVEL: 'silent', PUBLIC_BASE_URL: 'http://localhost:3000' }));
  await app.ready();
  const doc = app.swagger() as unknown as Record<string, unknown>;
  await app.close();
  rmSync(dir, { recursive: true, force: true });
  return JSON.parse(JSON.stringify(doc));
}
