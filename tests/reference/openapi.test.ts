import { describe, expect, it } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import { openApiDocument } from '../support/openapi-doc.js';

type Op = {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: unknown; examples?: unknown; example?: unknown }> };
  responses: Record<string, { headers?: Record<string, unknown> }>;
};

describe('reference: OpenAPI description', () => {
  it('every reference route is tagged, summarised, secured, with problems and body examples; the document validates', async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, Op>> };
    await SwaggerParser.validate(structuredClone(doc) as never);
    const ref = Object.entries(doc.paths).filter(([p]) => /^\/v1\/(agencies|teams|areas)/.test(p));
    const ops = ref.flatMap(([p, m]) => Object.entries(m).map(([method, op]) => ({ where: `${method.toUpperCase()} ${p}`, method, op })));
    expect(ops.map((o) => o.where).sort()).toEqual(
      [
        'DELETE /v1/areas/{id}',
        'GET /v1/agencies',
        'GET /v1/agencies/{code}',
        'GET /v1/areas',
        'GET /v1/areas/{id}',
        'GET /v1/teams',
        'GET /v1/teams/{id}',
        'PATCH /v1/agencies/{code}',
        'PATCH /v1/areas/{id}',
        'PATCH /v1/teams/{id}',
        'POST /v1/agencies',
        'POST /v1/areas',
        'POST /v1/areas/import',
        'POST /v1/teams',
      ].sort(),
    );
    for (const { where, method, op } of ops) {
      expect(op.tags, where).toEqual(['reference']);
      expect(op.summary, where).toBeTruthy();
      expect(op.description, where).toBeTruthy();
      expect(op.security, where).toEqual([{ bearerAuth: [] }]);
      expect(op.responses['401'], where).toBeTruthy();
      expect(op.responses['500'], where).toBeTruthy();
      if (method !== 'get') expect(op.responses['403'], where).toBeTruthy();
      if (method === 'post' || method === 'patch') {
        const json = op.requestBody?.content['application/json'];
        expect(json?.examples ?? json?.example, `${where} body example`).toBeTruthy();
        expect(op.responses['400'], where).toBeTruthy();
      }
      if (method === 'patch') {
        expect(op.responses['412'], where).toBeTruthy();
        expect(op.responses['428'], where).toBeTruthy();
        expect(op.responses['200'].headers?.etag, where).toBeTruthy();
      }
    }
  });
});
