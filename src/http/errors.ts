import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import { Problem, type FieldError } from './problem.js';

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
          : (v.message ?? 'is invalid');
    return { field: `${ctx}${path}`, reason };
  });
}

/** Maps every error to RFC 9457 problem+json; a thrown bug is a 500 with only the request id. */
export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof Problem) return sendProblem(reply, err, req);
    if (err.validation) {
      const errors = validationErrors(err);
      const detail = errors.map((e) => `${e.field} ${e.reason}`).join('; ');
      return sendProblem(reply, new Problem(400, 'validation', 'Invalid request', detail, { errors }), req);
    }
    const code = err.code;
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
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, new Problem(500, 'internal', 'Internal error', `Something went wrong on our side. Quote request id ${req.id}.`), req);
  });
}

/** 404 for unknown paths, 405 (with Allow) when the path exists under another method. */
export function installNotFound(app: FastifyInstance) {
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
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const allowed = HTTP_METHODS.filter((m) => router.find(m, path));
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(
        reply,
        new Problem(405, 'method-not-allowed', 'Method not allowed', `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}.`),
        req,
      );
    }
    return sendProblem(reply, new Problem(404, 'not-found', 'Not found', `No route ${req.method} ${path}.`), req);
  });
}
