import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { AjvCompiler } from '@fastify/ajv-compiler';
import { parse as parseQuery } from 'node:querystring';
import { Problem, type FieldError } from './problem.js';

/**
 * Strict input, in one place: which validator each part of a request gets, which media types
 * each route takes, and which characters a string may carry.
 *
 * - Bodies are typed JSON: no coercion (`{"name":123}` is refused, not stored as "123"). Query
 *   strings, path parameters and headers are text on the wire and are coerced to their schema types.
 * - `application/json` everywhere; `application/x-www-form-urlencoded` only on the form routes
 *   (Open311, GeoReport v2 is a form protocol), whose bodies are text and so are coerced like a query.
 *   Anything else, or a body without a content type, is 415 naming the accepted types.
 * - An empty body with `content-type: application/json` is no body (accepted on body-less routes).
 * - Strings may not carry lone UTF-16 surrogates (they cannot be stored as UTF-8 and would come
 *   back as U+FFFD) nor NUL (U+0000, truncates in C consumers and log pipelines). Bidi controls
 *   (U+200E/200F, U+202A–202E, U+2066–2069) are accepted and stored verbatim: mixed Uyghur
 *   (right-to-left) and Chinese text needs them, and every answer is JSON, never markup.
 */

/** Routes (by URL prefix) that take form bodies. */
export const FORM_ROUTE_PREFIXES = ['/open311/'] as const;
export const isFormRoute = (url: string | undefined) => url !== undefined && FORM_ROUTE_PREFIXES.some((p) => url.startsWith(p));
/** Routes that also take a CSV body (imports; the body is the CSV text, parsed by the route's capability). */
export const CSV_ROUTES: readonly string[] = ['/v1/rectification-tasks/import'];
export const isCsvRoute = (url: string | undefined) => url !== undefined && CSV_ROUTES.includes(url);

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';
const CSV_TYPE = 'text/csv';

export const acceptedTypes = (url: string | undefined) => (isFormRoute(url) ? [FORM_TYPE, JSON_TYPE] : isCsvRoute(url) ? [JSON_TYPE, CSV_TYPE] : [JSON_TYPE]);

export const unsupportedMediaType = (req: FastifyRequest) => {
  const accepted = acceptedTypes(req.routeOptions.url);
  const sent = req.headers['content-type'];
  return new Problem(
    415,
    'unsupported-media-type',
    'Unsupported media type',
    `${sent ? `Content-Type ${sent} is` : 'A body without Content-Type is'} not accepted here; send ${accepted.join(' or ')}.`,
    { accepted },
  );
};

const BASE_AJV = { removeAdditional: false, useDefaults: true, allErrors: true, strict: false } as const;

/** Fastify's ajv compiler, twice: strict for JSON bodies, coercing for everything that is text on the wire. */
export function validatorCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  const pool = AjvCompiler();
  return {
    compilersFactory: {
      buildValidator(externalSchemas, ajvOptions) {
        const opts = ajvOptions as { customOptions?: Record<string, unknown>; plugins?: unknown[] };
        const strict = pool(externalSchemas as never, { ...opts, customOptions: { ...BASE_AJV, ...opts.customOptions, coerceTypes: false } } as never);
        const text = pool(externalSchemas as never, { ...opts, customOptions: { ...BASE_AJV, ...opts.customOptions, coerceTypes: 'array' } } as never);
        return (route) => (route.httpPart === 'body' && !isFormRoute(route.url) ? strict(route) : text(route));
      },
    },
  };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Field errors for strings (keys and values) that carry lone surrogates or NUL. */
export function badCharacters(value: unknown, path = 'body', out: FieldError[] = []): FieldError[] {
  if (out.length >= 20) return out;
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) out.push({ field: path, reason: 'contains a lone UTF-16 surrogate (not a Unicode character)' });
    else if (value.includes('\u0000')) out.push({ field: path, reason: 'contains a NUL character (U+0000)' });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => badCharacters(v, `${path}/${i}`, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = `${path}/${k}`;
      if (LONE_SURROGATE.test(k) || k.includes('\u0000')) out.push({ field: p, reason: 'the field name contains a lone surrogate or NUL' });
      else badCharacters(v, p, out);
    }
  }
  return out;
}

const checked = (value: unknown) => {
  const errors = badCharacters(value);
  if (errors.length === 0) return value;
  throw new Problem(400, 'validation', 'Invalid request', errors.map((e) => `${e.field} ${e.reason}`).join('; '), { errors });
};

/** The only body parsers: JSON (prototype-poisoning safe) everywhere, forms on form routes; nothing else. */
export function installBodyParsers(app: FastifyInstance) {
  app.removeAllContentTypeParsers();
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(JSON_TYPE, { parseAs: 'string' }, (req, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    json(req, String(body), (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      try {
        done(null, checked(value));
      } catch (e) {
        done(e as Error, undefined);
      }
    });
  });
  app.addContentTypeParser(FORM_TYPE, { parseAs: 'string' }, (req, body, done) => {
    if (!isFormRoute(req.routeOptions.url)) return done(unsupportedMediaType(req), undefined);
    try {
      done(null, checked({ ...parseQuery(String(body)) }));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.addContentTypeParser(CSV_TYPE, { parseAs: 'string' }, (req, body, done) => {
    if (!isCsvRoute(req.routeOptions.url)) return done(unsupportedMediaType(req), undefined);
    try {
      done(null, checked(String(body)));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  // A body with no content type, or any other type: 415 naming what is accepted.
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    if (req.headers['content-type'] === undefined && String(body) === '') return done(null, undefined);
    done(unsupportedMediaType(req), undefined);
  });
}
