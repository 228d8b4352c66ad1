import { Type } from 'typebox';
import { PARTNER_AUDIENCES, PARTNER_SCOPES, ROLES } from '../domain/index.js';
import { SideSchema } from '../http/schemas.js';

export const ApiKey = Type.Object(
  {
    id: Type.String({ description: 'Key id' }),
    prefix: Type.String({ description: 'First characters of the key, to recognise it' }),
    name: Type.Union([Type.String(), Type.Null()], { description: 'Label' }),
    role: Type.Enum(ROLES, { description: 'Role of the principal' }),
    side: Type.Union([SideSchema, Type.Null()], { description: 'Side the principal belongs to' }),
    agencyCode: Type.Union([Type.String(), Type.Null()], { description: 'Agency the principal belongs to' }),
    teamId: Type.Union([Type.String(), Type.Null()], { description: 'Team (inspectors)' }),
    audience: Type.Union([Type.Enum(PARTNER_AUDIENCES), Type.Null()], {
      description: 'Partners: what the key reads beyond what it created — created, side, agency (subtree) or all; null for other roles',
    }),
    scopes: Type.Union([Type.Array(Type.Enum(PARTNER_SCOPES)), Type.Null()], { description: 'Partners: read-only scopes; null for other roles' }),
    createdAt: Type.String({ format: 'date-time' }),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'Updated at most once a minute' }),
  },
  { $id: 'ApiKey' },
);
export const CreatedKey = Type.Intersect([ApiKey, Type.Object({ key: Type.String({ description: 'The key itself: shown only now' }) })]);

export const CreateKeyBody = Type.Object(
  {
    role: Type.Enum(ROLES),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    side: Type.Optional(SideSchema),
    agencyCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    teamId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    audience: Type.Optional(
      Type.Enum(PARTNER_AUDIENCES, {
        description: 'Partners: default the narrowest the binding allows (agency, else side, else created); all must be asked for explicitly',
      }),
    ),
    scopes: Type.Optional(
      Type.Array(Type.Enum(PARTNER_SCOPES), {
        maxItems: 10,
        description:
          'Partners: events (feed, stream, webhooks), complaints, cases, filings (GET those of its audience, and see their events); default [events]',
      }),
    ),
  },
  { additionalProperties: false, examples: [{ role: 'inspector', agencyCode: 'XPCC-D8', teamId: '01J…', name: 'Shihezi field app' }] },
);
