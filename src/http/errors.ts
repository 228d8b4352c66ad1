import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import FindMyWay from 'find-my-way';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { Problem, type FieldError } from './problem.js';
import { isBusy } from '../db/client.js';

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export function sendProblem(reply: FastifyReply, p: Problem, req: FastifyRequest) {
  for (const [k, v] of Object.entries(p.headers)) reply.header(k, v);
  return reply.status(p.status).type('application/problem+json').send(p.body(req.id));
}

export function validationErrors(err: FastifyError): FieldError[] {
  const ctx = (err as { validationContext?: string }).validationContext ?? 'body';
  return (err.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>;
    let path = v.instancePath ?? '';
    if (params?.missingProperty) path += `/${String(params.missingProperty)}`;
    if (params?.additionalProperty) path += `/${String(params.additionalProperty)}`;
    const reason =
      params?.additionalProperty !== undefined
        ? 'is not an allowed field'
        : params?.missingProperty !== undefined
          ? 'is required'
          : Array.isArray(params?.allowedValues)
            ? `must be one of: ${(params.allowedValues as unknown[]).map((a) => JSON.stringify(a)).join(', ')}`
            : (v.message ?? 'is invalid');
    return { field: `${ctx}${path}`, reason };
  });
}

/** Maps every error to RFC 9457 problem+json; a thrown bug is a 500 with only the request id. */
export function installErrorHandling(app: FastifyInstance, unrouted: Unrouted) {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof Problem) return sendProblem(reply, err, req);
    if (err.validation) {
      const errors = validationErrors(err);
      const detail = errors.map((e) => `${e.field} ${e.reason}`).join('; ');
      return sendProblem(reply, new Problem(400, 'validation', 'Invalid request', detail, { errors }), req);
    }
    const code = err.code;
    // A method with a body (QUERY…) on a path with no such route: answer as an unrouted request (405/404).
    if (code === 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE' && req.is404) return unrouted(req, reply);
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return sendProblem(reply, new Problem(413, 'body-too-large', 'Payload too large', 'The request body exceeds the limit.'), req);
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return sendProblem(
        reply,
        new Problem(
          415,
          'unsupported-media-type',
          'Unsupported media type',
          `Content-Type ${req.headers['content-type'] ?? '(none)'} is not supported; send application/json.`,
        ),
        req,
      );
    if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError)
      return sendProblem(reply, new Problem(400, 'malformed-body', 'Malformed body', 'The body is not valid JSON.'), req);
    if (err.statusCode === 429) return sendProblem(reply, new Problem(429, 'rate-limited', 'Too many requests', err.message), req);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return sendProblem(reply, new Problem(err.statusCode, 'http-' + err.statusCode, 'Request error', err.message), req);
    // Another writer held the SQLite lock past busy_timeout: nothing was written, try again.
    if (isBusy(err)) {
      reply.header('retry-after', '1');
      return sendProblem(reply, new Problem(503, 'database-busy', 'Database busy', 'The database was busy; nothing was changed. Retry shortly.'), req);
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, new Problem(500, 'internal', 'Internal error', `Something went wrong on our side. Quote request id ${req.id}.`), req);
  });
}

/** Problems for what the router refuses before any route runs (Fastify `frameworkErrors`). */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (err, req, reply) => {
  reply.header('x-request-id', req.id);
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return sendProblem(reply, new Problem(414, 'uri-too-long', 'URI too long', `A path parameter is longer than ${MAX_PARAM_LENGTH} characters.`), req);
  if (err.code === 'FST_ERR_BAD_URL')
    return sendProblem(
      reply,
      new Problem(400, 'bad-url', 'Bad URL', 'The path is not valid percent-encoded UTF-8.', {
        errors: [{ field: 'path', reason: 'is not valid percent-encoded UTF-8' }],
      }),
      req,
    );
  return sendProblem(reply, new Problem(400, 'http-400', 'Request error', err.message), req);
};

/** Longest path parameter the router accepts (ids are documented up to 300 characters). */
export const MAX_PARAM_LENGTH = 1024;

/**
 * What Node's HTTP parser refuses before Fastify sees a request (raw bytes in the URL, a request
 * line or headers over the limit): still problem+json with an x-request-id.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, slug, detail] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request-timeout', 'The request was not received in time.']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers-too-large', 'The request line or headers are larger than the server accepts.']
        : [400, 'malformed-request', 'The request is not valid HTTP/1.1 (e.g. raw non-ASCII bytes in the URL: percent-encode them).'];
  const id = randomUUID();
  const body = JSON.stringify(new Problem(status, slug, STATUS_CODES[status] ?? 'Error', detail).body(id));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nx-request-id: ${id}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy(err);
}

/** GeoReport v2 answers errors as an array of {code, description}. */
const OPEN311 = '/open311/';

/**
 * 404 for unknown paths, 405 (with Allow) when the path exists under another method. A static
 * path wins over a parameter in the same place (`/v1/areas/import` is not the area `import`).
 */
export function installNotFound(app: FastifyInstance): Unrouted {
  const router = FindMyWay();
  const known = new Map<string, Set<string>>();
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) {
      if (!known.has(r.url)) known.set(r.url, new Set());
      const set = known.get(r.url)!;
      if (!set.has(m) && (HTTP_METHODS as readonly string[]).includes(m)) {
        set.add(m);
        router.on(m as 'GET', r.url, () => {});
      }
    }
  });
  const staticPaths = new Map<string, Set<string>>();
  app.addHook('onRoute', (r) => {
    if (r.url.includes(':') || r.url.includes('*')) return;
    const set = staticPaths.get(r.url) ?? new Set<string>();
    for (const m of Array.isArray(r.method) ? r.method : [r.method]) set.add(m);
    staticPaths.set(r.url, set);
  });
  const answer = (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0];
    if (path.startsWith(OPEN311))
      return reply
        .status(404)
        .type('application/json; charset=utf-8')
        .send([{ code: 404, description: `No GeoReport resource at ${path}.` }]);
    const statics = staticPaths.get(path.replace(/\/$/, ''));
    const allowed = statics ? HTTP_METHODS.filter((m) => statics.has(m)) : HTTP_METHODS.filter((m) => router.find(m, path));
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(
        reply,
        new Problem(405, 'method-not-allowed', 'Method not allowed', `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}.`),
        req,
      );
    }
    return sendProblem(reply, new Problem(404, 'not-found', 'Not found', `No route ${req.method} ${path}.`), req);
  };
  app.setNotFoundHandler(answer);
  // A parametric route matched a path that is also a static route of other methods: 405, not "area import not found".
  app.addHook('onRequest', async (req, reply) => {
    const url = req.routeOptions.url;
    if (!url || !url.includes(':')) return;
    const path = req.url.split('?')[0].replace(/\/$/, '');
    const statics = staticPaths.get(path);
    if (statics && !statics.has(req.method)) return answer(req, reply);
  });
  return answer;
}

/** Answers a request no route takes (404, or 405 with Allow). */
export type Unrouted = (req: FastifyRequest, reply: FastifyReply) => FastifyReply;
