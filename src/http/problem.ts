import { Type, type TSchema } from 'typebox';

/** RFC 9457 problem details; `type` is a stable URI per domain error. */
export const PROBLEM_BASE = 'https://enforcement.example/problems/';

export interface FieldError {
  field: string;
  reason: string;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
  get type(): string {
    return PROBLEM_BASE + this.slug;
  }
  body(instance?: string): Record<string, unknown> {
    return { type: this.type, title: this.title, status: this.status, detail: this.detail, ...(instance ? { instance } : {}), ...this.extra };
  }
}

export const badRequest = (detail: string, errors?: FieldError[]) => new Problem(400, 'validation', 'Invalid request', detail, errors ? { errors } : {});
export const fieldError = (field: string, reason: string) => badRequest(`${field}: ${reason}`, [{ field, reason }]);
export const unauthorized = (detail = 'A valid API key is required (Authorization: Bearer <key>).') =>
  new Problem(401, 'unauthorized', 'Unauthorized', detail, {}, { 'www-authenticate': 'Bearer' });
export const forbidden = (detail = 'This key may not perform this action.') => new Problem(403, 'forbidden', 'Forbidden', detail);
/** A policy decision against the caller: the rule that refuses (a stable slug) and why. */
export interface Denial {
  rule: string;
  detail: string;
}

/**
 * A visible resource this key may not act on: 403 naming the authorization rule (`rule`, a stable
 * slug such as `reply:lead-team`) and why. Invisible resources are a 404, never this.
 */
export const denied = (rule: string, detail: string) => new Problem(403, 'forbidden', 'Forbidden', detail, { rule });
export const notFound = (what: string, id?: string) =>
  new Problem(404, 'not-found', 'Not found', id === undefined ? `${what} not found` : `${what} ${id} not found`, { resource: what });
export const conflict = (slug: string, detail: string, extra: Record<string, unknown> = {}) => new Problem(409, slug, 'Conflict', detail, extra);
export const unprocessable = (slug: string, detail: string, extra: Record<string, unknown> = {}) =>
  new Problem(422, slug, 'Unprocessable request', detail, extra);

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'Stable URI identifying the kind of problem', examples: [PROBLEM_BASE + 'validation'] }),
    title: Type.String({ description: 'Short summary of the kind of problem' }),
    status: Type.Integer({ description: 'HTTP status code' }),
    detail: Type.String({ description: 'Human-readable explanation of this occurrence' }),
    instance: Type.Optional(Type.String({ description: 'The request id of this occurrence' })),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'Location of the bad value, e.g. body/geometry/coordinates' }),
          reason: Type.String({ description: 'What is wrong with it' }),
        }),
        { description: 'Per-field validation errors' },
      ),
    ),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details (application/problem+json)' },
);

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: see `errors` for each bad field',
  401: 'Missing, unknown or revoked API key',
  403: 'The key is valid but may not do this',
  404: 'Not found (or not visible to this key)',
  405: 'Method not allowed on this path',
  409: 'Conflict with the current state of the resource',
  412: 'If-Match does not match the current version',
  413: 'Request body too large',
  415: 'Unsupported media type',
  422: 'Well-formed but breaks a rule',
  428: 'If-Match header required',
  429: 'Too many requests',
  500: 'Internal error (carries the request id)',
  503: 'Dependency unavailable',
};

/** Response schemas for the given problem statuses, for route `schema.response`. */
export function problems(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const s of [...statuses, 500]) out[s] = Type.Ref('Problem', { description: DESCRIPTIONS[s] ?? 'Problem' }) as TSchema;
  return out;
}
