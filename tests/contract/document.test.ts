import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { checkResponse, schemaErrors } from '../support/contract.js';
import { openApiStats } from '../../scripts/openapi-stats.js';

const doc = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
type Op = Record<string, any>;
const ops = (): [string, string, Op][] =>
  Object.entries(doc.paths as Record<string, Record<string, Op>>).flatMap(([p, o]) => Object.entries(o).map(([m, op]) => [m, p, op] as [string, string, Op]));

describe('the response check (tests/support/contract.ts)', () => {
  const problem = JSON.stringify({ type: 'https://enforcement.example/problems/not-found', title: 'Not found', status: 404, detail: 'x' });
  it('passes a documented answer and flags undocumented status, media type and body', () => {
    expect(checkResponse('GET', '/v1/cases/:id', '/v1/cases/x', 404, 'application/problem+json; charset=utf-8', problem)).toEqual([]);
    expect(checkResponse('GET', '/v1/cases/:id', '/v1/cases/x', 418, 'application/problem+json', problem)[0]).toMatch(/status 418 is not documented/);
    expect(checkResponse('GET', '/v1/cases/:id', '/v1/cases/x', 404, 'application/json', problem)[0]).toMatch(
      /content-type application\/json is not documented/,
    );
    expect(checkResponse('GET', '/v1/cases/:id', '/v1/cases/x', 404, 'application/problem+json', '{"title":1}')[0]).toMatch(/does not match/);
    expect(checkResponse('GET', undefined, '/v1/nowhere', 404, 'application/json', '{}')[0]).toMatch(/not application\/problem\+json/);
  });
});

describe('the OpenAPI document is complete', () => {
  it('has a unique operationId on every operation', () => {
    const ids = ops().map(([, , op]) => op.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('postCasesByIdNotes');
  });

  it('documents errors as application/problem+json with a shared example, and 400/413/415/414/431 where they can happen', () => {
    for (const [m, p, op] of ops()) {
      const where = `${m} ${p}`;
      for (const [status, r] of Object.entries(op.responses as Record<string, Op>)) {
        if (/^[45]/.test(status) && !p.startsWith('/open311/'))
          expect(Object.keys(r.content ?? {}), `${where} ${status}`).toEqual(['application/problem+json']);
        expect(r.description, `${where} ${status}`).not.toBe('Default Response');
      }
      expect(op.responses['431'], where).toBeTruthy();
      for (const prm of op.parameters ?? []) expect(prm.description, `${where} ${prm.name}`).toBeTruthy();
      if (p.includes('{')) expect(op.responses['414'], where).toBeTruthy();
      if (op.requestBody) for (const s of ['400', '413', '415']) expect(op.responses[s], `${where} ${s}`).toBeTruthy();
    }
    expect(doc.paths['/v1/public/complaints/{number}'].get.responses['429']).toBeTruthy();
    expect(doc.components.examples['problem-400'].value.errors).toHaveLength(1);
  });

  it('requires If-Match where omitting it gives 428; action bodies may be omitted', () => {
    for (const [m, p, op] of ops()) {
      if (!op.responses['428']) continue;
      const h = (op.parameters as Op[]).find((x) => x.in === 'header' && x.name === 'if-match');
      expect(h?.required, `${m} ${p}`).toBe(true);
    }
    for (const p of [
      '/v1/assignments/{id}/claim',
      '/v1/complaints/{id}/accept',
      '/v1/complaints/{id}/start',
      '/v1/complaints/{id}/close',
      '/v1/complaints/{id}/unlink',
    ])
      expect(doc.paths[p].post.requestBody.required, p).toBe(false);
  });

  it('Open311 POST lists forms and JSON and declares Idempotency-Key', () => {
    const op = doc.paths['/open311/v2/requests.json'].post;
    expect(Object.keys(op.requestBody.content)).toEqual(['application/x-www-form-urlencoded', 'application/json']);
    expect(op.parameters.map((p: Op) => p.name)).toContain('idempotency-key');
  });

  it('has tag descriptions, info.version from package.json and a webhook per event type', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(doc.info.version).toBe(pkg.version);
    expect(doc.tags.length).toBeGreaterThan(10);
    for (const t of doc.tags) expect(t.description, t.name).toBeTruthy();
    expect(doc.webhooks['complaint.received'].post.requestBody.content['application/cloudevents+json']).toBeTruthy();
    expect(Object.keys(doc.webhooks).length).toBeGreaterThan(40);
  });

  it('every example of a request body or success response is valid against its schema', () => {
    const bad: string[] = [];
    for (const [m, p, op] of ops()) {
      const media = [
        ...Object.entries(op.requestBody?.content ?? {}).map(([t, c]) => [`request ${t}`, c] as [string, Op]),
        ...Object.entries(op.responses as Record<string, Op>)
          .filter(([s]) => s.startsWith('2'))
          .flatMap(([s, r]) => Object.entries(r.content ?? {}).map(([t, c]) => [`${s} ${t}`, c] as [string, Op])),
      ];
      for (const [what, c] of media) {
        const examples = c.example !== undefined ? [c.example] : (c.schema?.examples ?? []);
        for (const e of examples) {
          const err = schemaErrors(c.schema, e);
          if (err) bad.push(`${m} ${p} ${what}: ${err}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('no example carries a placeholder: generated values come from the schema or realistic field examples', () => {
    const placeholders: string[] = [];
    const walk = (v: unknown, path: string) => {
      if (v === 'example') placeholders.push(path);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}/${k}`);
    };
    walk(doc.paths, 'paths');
    walk(doc.webhooks, 'webhooks');
    expect(placeholders).toEqual([]);
  });

  it('counts (printed for the note)', () => {
    const s = openApiStats(doc);
    console.log('openapi stats', JSON.stringify(s));
    expect(s.withOperationId).toBe(s.operations);
    expect(s.responsesDefaultDescription).toBe(0);
  });
});
