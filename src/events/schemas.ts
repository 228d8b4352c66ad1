import { Type } from 'typebox';
import { CategorySchema, DateTime, Nullable, SideSchema } from '../http/schemas.js';

export const FilterSchema = Type.Object(
  {
    side: Type.Optional(SideSchema),
    agencyCodes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 200, description: 'Only events owned by these agencies (exact codes)' }),
    ),
    categories: Type.Optional(Type.Array(CategorySchema, { maxItems: 20, description: 'Only events of these categories' })),
  },
  { additionalProperties: false, description: 'Narrows the events further; visibility of the owner key always applies' },
);

export const TypesSchema = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  minItems: 1,
  maxItems: 50,
  description: 'Event types (see GET /v1/event-types); `complaint.*` prefix wildcards and `*` allowed',
});

/** Static headers sent with every delivery (e.g. the receiver's own token); values are write-only. */
export const CustomHeadersSchema = Type.Record(
  Type.String(),
  Type.String({ minLength: 1, maxLength: 1024, pattern: '^[\\x20-\\x7E]+$', description: 'Printable ASCII, no line breaks' }),
  {
    // TypeBox writes a string-keyed Record as additionalProperties; the name rule is propertyNames.
    propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$", description: 'An HTTP header name (RFC 9110 token)' },
    maxProperties: 4,
    description:
      'Header name → value, sent with each delivery (stored sealed; GET shows names and masked values). Hop-by-hop headers, Host, Content-*, User-Agent and the signature headers (webhook-*) are refused.',
    examples: [{ 'X-Receiver-Token': 'rcv_5c1f0c8e2d7a4b9f' }],
  },
);
const HeaderView = Type.Object({
  name: Type.String({ description: 'Header name as given' }),
  value: Type.String({ description: 'Masked: `****` and, for values of 12 characters or more, the last 4', examples: ['****4b9f'] }),
});

export const SubscriptionSchema = Type.Object(
  {
    id: Type.String(),
    url: Type.String({ description: 'Receiver URL (POST, application/cloudevents+json, Standard Webhooks signature)' }),
    types: Type.Array(Type.String(), { description: 'Type patterns as given' }),
    filter: Nullable(FilterSchema),
    description: Nullable(Type.String()),
    headers: Type.Array(HeaderView, { description: 'Custom headers sent with each delivery (values masked)' }),
    status: Type.Enum(['active', 'disabled'] as const),
    disabledReason: Nullable(Type.String({ description: '`gone` (receiver answered 410), `failing` (5 days of failures), `manual`' })),
    disabledAt: Nullable(DateTime()),
    failingSince: Nullable(DateTime('Start of the current run of failed deliveries')),
    ownerKeyId: Type.String({ description: 'The key that created it; the subscription sees what that key sees' }),
    previousSecretExpiresAt: Nullable(DateTime('Until then the previous secret also signs (after a rotation)')),
    createdAt: DateTime(),
    updatedAt: DateTime(),
  },
  { $id: 'Subscription' },
);
export const CreatedSubscription = Type.Intersect([
  Type.Ref('Subscription'),
  Type.Object({ secret: Type.String({ description: 'Signing secret (whsec_…), shown only now' }) }),
]);

export const CreateBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    types: TypesSchema,
    filter: Type.Optional(FilterSchema),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    headers: Type.Optional(CustomHeadersSchema),
  },
  {
    additionalProperties: false,
    examples: [{ url: 'https://webhooks.example.com/enforcement', types: ['case.*', 'filing.created'], filter: { side: 'corps' } }],
  },
);
export const PatchBody = Type.Object(
  {
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    types: Type.Optional(TypesSchema),
    filter: Type.Optional(Nullable(FilterSchema)),
    description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    headers: Type.Optional(Nullable(CustomHeadersSchema)),
    enabled: Type.Optional(Type.Boolean({ description: 'false disables; true re-enables a disabled subscription (new events only: use replay for the gap)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const AttemptSchema = Type.Object({
  attempt: Type.Integer({ minimum: 1 }),
  at: DateTime(),
  statusCode: Nullable(Type.Integer({ description: 'HTTP status of the answer; null if none (timeout, refused…)' })),
  durationMs: Type.Integer({ minimum: 0 }),
  error: Nullable(Type.String()),
  nextAttemptAt: Nullable(DateTime('When the next attempt was scheduled after this one')),
});
export const DeliverySchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.Enum(['event', 'replay', 'ping'] as const),
    eventId: Type.String({ description: 'Also the webhook-id header' }),
    cursor: Nullable(Type.String({ description: 'The event’s feed cursor (null for pings)' })),
    type: Type.String(),
    subject: Type.String(),
    status: Type.Enum(['pending', 'delivered', 'failed', 'cancelled'] as const, {
      description: 'pending includes waiting for an earlier event of the same subject',
    }),
    attempts: Type.Integer(),
    maxAttempts: Type.Integer(),
    nextAttemptAt: Nullable(DateTime()),
    lastStatusCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    replayId: Nullable(Type.String()),
    createdAt: DateTime(),
    deliveredAt: Nullable(DateTime()),
    attemptLog: Type.Array(AttemptSchema),
  },
  { $id: 'Delivery' },
);

export const SubParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'Subscription id' }) });

export const ReplayBody = Type.Object(
  {
    after: Type.Optional(Type.String({ maxLength: 512, description: 'Re-send events after this feed cursor' })),
    from: Type.Optional(DateTime('Re-send events at or after this time')),
    types: Type.Optional(TypesSchema),
  },
  { additionalProperties: false, description: 'Exactly one of after / from' },
);
