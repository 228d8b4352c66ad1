import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Every response the test suite sees is checked against the committed OpenAPI document: its
 * status must be documented for the operation, its media type listed, and its body valid against
 * the schema. Mismatches are collected here and fail the running test (tests/support/contract-setup.ts).
 */
type Obj = Record<string, any>;
const doc: Obj = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const compiled = new Map<string, ValidateFunction>();
let n = 0;

export const mismatches: string[] = [];

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\/$/, '') || '/';
const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

function validator(key: string, schema: Obj): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    // Wrapped with the components so `#/components/schemas/…` refs resolve inside this root.
    v = ajv.compile({ $id: `urn:contract:${n++}`, ...schema, components: doc.components });
    compiled.set(key, v);
  }
  return v;
}

/** What is wrong with this response under the document (empty: nothing). */
export function checkResponse(
  method: string,
  routeUrl: string | undefined,
  requestPath: string,
  status: number,
  contentType: string | undefined,
  payload: unknown,
): string[] {
  const where = `${method} ${requestPath} → ${status}`;
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
  // 405 is the router's answer (also when a parametric route shadows a static path of other methods).
  if (!routeUrl || status === 405) {
    // Answered before or without a route (404/405, framework errors): a problem, or the GeoReport array under /open311.
    if (requestPath.startsWith('/open311/')) return mediaType === 'application/json' ? [] : [`${where}: unrouted Open311 answer is ${mediaType}`];
    return mediaType === 'application/problem+json'
      ? []
      : [`${where}: unrouted answer is ${mediaType || 'without content-type'}, not application/problem+json`];
  }
  const path = toOpenApiPath(routeUrl);
  const op = doc.paths?.[path]?.[method.toLowerCase()];
  if (!op) return routeUrl.includes('/_') ? [] : [`${where}: operation ${method} ${path} is not in the document`];
  const responses = op.responses ?? {};
  const r = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  if (!r) return [`${where}: status ${status} is not documented for ${method} ${path} (documented: ${Object.keys(responses).join(', ')})`];
  if (status === 204 || status === 304 || method === 'HEAD') return []; // no body goes on the wire
  if (!r.content) return text && text.length > 0 ? [`${where}: documented without a body, but a body was sent`] : [];
  const media = r.content[mediaType] ?? r.content['*/*'];
  if (!media) return [`${where}: content-type ${mediaType || '(none)'} is not documented (documented: ${Object.keys(r.content).join(', ')})`];
  if (!isJson(mediaType) || text === undefined || !media.schema) return [];
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [`${where}: body is not JSON`];
  }
  const v = validator(`${method} ${path} ${status} ${mediaType}`, media.schema);
  if (v(body)) return [];
  return [`${where}: body does not match the document: ${ajv.errorsText(v.errors, { separator: '; ' })} — body ${text.slice(0, 300)}`];
}

/** Adds the check to an app (root onSend: every route, the not-found handler and errors). */
export function instrument(app: FastifyInstance) {
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (payload && typeof payload === 'object' && !Buffer.isBuffer(payload)) return payload; // streams (SSE, files)
    const url = req.routeOptions.url;
    const hidden = (req.routeOptions.schema as { hide?: boolean } | undefined)?.hide;
    if (hidden) return payload;
    const found = checkResponse(req.method, url, req.url.split('?')[0], reply.statusCode, reply.getHeader('content-type') as string | undefined, payload);
    mismatches.push(...found);
    return payload;
  });
}

/** Why `value` does not match `schema` (a schema of the document), or null. */
export function schemaErrors(schema: Obj, value: unknown): string | null {
  const v = validator(JSON.stringify(schema), schema);
  return v(value) ? null : ajv.errorsText(v.errors, { separator: '; ' });
}
