import type { FastifyInstance } from 'fastify';
import { Type, type Static, type TObject, type TSchema } from 'typebox';
import type { Principal } from '../auth/principal.js';
import type { Role } from '../domain/index.js';
import { problems } from './problem.js';
import { BODY_OPTIONAL } from './openapi.js';
import { IdParam } from './schemas.js';
import { etagOf, parseIfMatch, withEtag, type Expected } from './versioning.js';

/** What a state-machine action receives: who asks, on what, at which version, with what. */
export interface ActionArgs<B> {
  principal: Principal;
  id: string;
  /** From If-Match, when sent: the action applies only to that version (else 412). */
  expected: Expected | undefined;
  body: B;
}

export interface ActionSpec<B extends TObject> {
  /** e.g. `/v1/assignments/:id/claim` */
  url: string;
  tags: string[];
  summary: string;
  description?: string;
  roles?: readonly Role[];
  /** Path parameters (default: `id`). */
  params?: TObject;
  /** Body fields; omitted = none (an empty or absent body). */
  body?: B;
  /** The resource after the action (it carries `version`, sent as the ETag). */
  response: TSchema;
  /** Statuses beyond 400/401/403/404/409/412. */
  problems?: number[];
  run: (a: ActionArgs<Static<B>>) => { version: number };
}

const NoBody = Type.Object({}, { additionalProperties: false, description: 'No fields (the body may be omitted)' });
const IfMatchAction = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 200, description: 'ETag ("<version>") from a GET: act only on that version (else 412)' })),
});

/**
 * Registers one POST action on a resource (accept, claim, transitions…), the same way for every
 * capability: optional If-Match, a body that may be omitted when it has no required fields, the
 * resource and its ETag in the answer.
 */
export function actionRoute<B extends TObject>(app: FastifyInstance, spec: ActionSpec<B>) {
  app.post(
    spec.url,
    {
      config: spec.roles ? { roles: spec.roles } : {},
      // An action may be posted without a body: validate it as {}.
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) req.body = {};
      },
      schema: {
        tags: spec.tags,
        summary: spec.summary,
        ...(spec.description ? { description: spec.description } : {}),
        params: spec.params ?? IdParam,
        headers: IfMatchAction,
        // No required field: the body may be omitted (the document says so).
        body: spec.body?.required?.length ? spec.body : { ...(spec.body ?? NoBody), [BODY_OPTIONAL]: true },
        response: { 200: withEtag(spec.response), ...problems(400, 401, 403, 404, 409, 412, ...(spec.problems ?? [])) },
      },
    },
    async (req, reply) => {
      const headers = req.headers as { 'if-match'?: string };
      // The schema above has validated params and body: this is the one place they are typed from it.
      const view = spec.run({
        principal: req.principal,
        id: (req.params as { id: string }).id,
        expected: parseIfMatch(headers['if-match']),
        body: req.body as Static<B>,
      });
      return reply.header('etag', etagOf(view.version)).send(view);
    },
  );
}
