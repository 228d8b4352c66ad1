import { Type } from 'typebox';
import { DateTime } from '../http/schemas.js';
import { PageQuery } from '../http/pagination.js';

const Nullable = (description: string, example: string) => Type.Union([Type.String({ description, examples: [example] }), Type.Null()], { description });

export const AuditEntry = Type.Object(
  {
    id: Type.String({ description: 'Entry id (time-ordered)' }),
    at: DateTime('When the answer was sent'),
    keyId: Nullable('API key that made the request (null: no or an unknown key)', '01a23150-9f8e-7d6c-b5a4-3c2d1e0f9a12'),
    role: Nullable('Its role', 'supervisor'),
    side: Nullable('Its side', 'region'),
    agencyCode: Nullable('Its agency', '652301'),
    teamId: Nullable('Its team', 'team-652301-air'),
    method: Type.String({ description: 'HTTP method', examples: ['POST'] }),
    route: Nullable('The route pattern (null when no route matched)', '/v1/complaints/:id/reply'),
    path: Type.String({ description: 'The path, without the query string', examples: ['/v1/complaints/01a23185-a1ea-754c-af6f-50ecb2926c27/reply'] }),
    subject: Nullable('What was acted on, named as events name it', 'complaints/01a23185-a1ea-754c-af6f-50ecb2926c27'),
    status: Type.Integer({ description: 'HTTP status answered', examples: [200] }),
    outcome: Type.Union([Type.Literal('allowed'), Type.Literal('denied'), Type.Literal('refused'), Type.Literal('failed')], {
      description: 'allowed: 2xx/3xx; denied: 401/403; refused: another 4xx; failed: 5xx',
    }),
    requestId: Type.String({ description: 'The request id (x-request-id), also in the log line', examples: ['a9c258a0-ae30-4f61-95da-5607480acb02'] }),
  },
  { additionalProperties: false },
);

export const AuditQuery = Type.Object({
  ...PageQuery,
  actor: Type.Optional(Type.String({ maxLength: 100, description: 'Only requests made with this API key id' })),
  subject: Type.Optional(Type.String({ maxLength: 400, description: 'Only requests on this subject, e.g. complaints/<id>' })),
  from: Type.Optional(DateTime('Only entries at or after this instant')),
  to: Type.Optional(DateTime('Only entries before this instant')),
  outcome: Type.Optional(
    Type.Union([Type.Literal('allowed'), Type.Literal('denied'), Type.Literal('refused'), Type.Literal('failed')], { description: 'Only this outcome' }),
  ),
});
