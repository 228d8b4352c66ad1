import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { openApiDocument } from '../support/openapi-doc.js';

describe('OpenAPI document', () => {
  it('matches the committed openapi/openapi.json (run `npm run openapi` after changing routes)', async () => {
    const generated = await openApiDocument();
    const committed = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
    expect(generated).toEqual(committed);
  });

  it('validates as OpenAPI 3.x and every operation is described', async () => {
    const doc = await openApiDocument();
    await SwaggerParser.validate(structuredClone(doc) as never);
    const paths = doc.paths as Record<string, Record<string, { summary?: string; tags?: string[]; responses?: Record<string, unknown>; security?: unknown }>>;
    expect(Object.keys(paths).length).toBeGreaterThan(5);
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.summary, `${where} summary`).toBeTruthy();
        expect(op.tags?.length, `${where} tags`).toBeGreaterThan(0);
        expect(
          Object.keys(op.responses ?? {}).some((s) => s.startsWith('2')),
          `${where} success response`,
        ).toBe(true);
        expect(op.responses?.['500'], `${where} problem response`).toBeTruthy();
      }
    }
  });
});
