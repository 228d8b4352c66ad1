import { Type } from 'typebox';
import { FormatQuery } from '../http/csv.js';
import { CategorySchema, DateTime, Nullable, SideSchema } from '../http/schemas.js';
import { CHANNELS, COMPLAINT_STATUSES } from './tables.js';
import { ASSIGNMENT_STATUSES } from '../domain/index.js';

export const PHONE_PATTERN = '^\\+?[0-9][0-9 -]{4,19}$';

export const ChannelSchema = Type.Enum(CHANNELS, { description: 'How the complaint reached the 12369 center' });
export const StatusSchema = Type.Enum(COMPLAINT_STATUSES, {
  description:
    'received → accepted | not_accepted | transferred; accepted → routed → in_progress → replied → closed. Review (信访工作条例 arts. 35–36): replied | closed → under_review (复查, by the agency one level above) → reviewed → under_review (复核, one level higher) → closed (final). A satisfied feedback closes; an unsatisfied one leaves the complaint replied, open to review until reviewRequestableUntil. A closed complaint reopened by intake goes back to accepted.',
});

export const LocationSchema = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'WGS-84 latitude' }),
    lng: Type.Number({ minimum: -180, maximum: 180, description: 'WGS-84 longitude' }),
  },
  { additionalProperties: false, description: 'Where the pollution is (WGS-84)' },
);

export const AttachmentSchema = Type.Object(
  {
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, format: 'uri', description: 'Where the file can be fetched' })),
    sha256: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'SHA-256 of the file (64 hex), when it is held elsewhere' })),
    mediaType: Type.Optional(Type.String({ minLength: 3, maxLength: 255, pattern: '^[\\w.+-]+/[\\w.+-]+$', description: 'e.g. image/jpeg' })),
    bytes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000_000, description: 'Size in bytes' })),
  },
  { additionalProperties: false, description: 'A photo, video or document: a url or a sha256 is required' },
);

export const ReporterInput = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Reporter name (encrypted at rest; visible to intake and admin only)' })),
    phone: Type.Optional(Type.String({ pattern: PHONE_PATTERN, maxLength: 20, description: 'Digits, optional leading +, spaces or dashes; 5–20 characters' })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    anonymous: Type.Boolean({ description: 'The reporter asked not to be identified' }),
  },
  { additionalProperties: false, description: 'The reporter: confidential (环境保护法 art. 57)' },
);

export const CreateComplaintBody = Type.Object(
  {
    channel: ChannelSchema,
    category: CategorySchema,
    description: Type.String({ minLength: 1, maxLength: 5000, description: 'What the reporter saw, heard or smelled' }),
    location: Type.Optional(LocationSchema),
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Street address; needs adminCode when there is no location' })),
    adminCode: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: 'GB/T 2260 administrative division code (6 digits)' })),
    occurredAt: Type.Optional(DateTime('When it happened')),
    urgent: Type.Optional(Type.Boolean({ description: 'Ongoing pollution: routed first', default: false })),
    sourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'A registered pollution source, when the reporter names one' })),
    externalRef: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: "The calling system's own id; unique per channel (a second one → 409 naming the first)" }),
    ),
    attachments: Type.Optional(Type.Array(AttachmentSchema, { maxItems: 20, description: 'At most 20' })),
    reporter: Type.Optional(ReporterInput),
  },
  {
    additionalProperties: false,
    description: 'A location, or an address with an adminCode, is required.',
    examples: [
      {
        channel: 'phone',
        category: 'air',
        description: 'Black smoke from the chimney east of the village since 6 am',
        location: { lat: 44.31, lng: 86.08 },
        urgent: true,
        externalRef: 'HL-2026-0042',
        reporter: { name: '张三', phone: '+86 138 0000 0000', anonymous: false },
      },
    ],
  },
);

export const Created = Type.Object({
  id: Type.String({ description: 'Complaint id' }),
  number: Type.String({ description: 'Human-readable number, e.g. 12369-2026-000123' }),
  status: StatusSchema,
  receivedAt: DateTime(),
  acceptanceDueAt: DateTime('The reporter must be told by then whether it is accepted'),
  queryCode: Type.String({ description: 'Secret for the reporter’s public status lookup; shown only now' }),
  duplicateOf: Nullable(Type.String({ description: 'Set when linked as a duplicate of an open complaint' })),
});

const ReporterOut = Type.Object(
  {
    name: Nullable(Type.String()),
    phone: Nullable(Type.String()),
    email: Nullable(Type.String()),
    anonymous: Type.Boolean(),
  },
  { description: 'Only for intake and admin keys; each read is recorded' },
);

const Routing = Type.Object(
  {
    side: Nullable(SideSchema),
    agencyCode: Nullable(Type.String({ description: 'Lead agency' })),
    teamId: Nullable(Type.String({ description: 'Lead team' })),
    areaId: Nullable(Type.String()),
    gridId: Nullable(Type.String()),
    joint: Type.Boolean({ description: 'Near the other side: a co-handling assignment exists' }),
    triage: Type.Boolean({ description: 'Nobody owns the place: the center’s triage handles it' }),
    routedAt: DateTime(),
    assignments: Type.Array(
      Type.Object({
        assignmentId: Type.String(),
        teamId: Nullable(Type.String({ description: 'null: the 12369 center’s triage' })),
        agencyCode: Nullable(Type.String()),
        side: Nullable(SideSchema),
        role: Type.Enum(['lead', 'co_handling'] as const),
        status: Type.Enum(ASSIGNMENT_STATUSES),
        overdue: Type.Boolean({ description: 'Not claimed in time' }),
        createdAt: DateTime(),
      }),
      { description: 'Every assignment made for it (GET /v1/assignments/{id} for details), oldest first' },
    ),
  },
  { description: 'Who handles it (null until routed)' },
);

const Deadlines = Type.Object({
  acceptanceDueAt: DateTime(),
  replyDueAt: Nullable(DateTime('Set on acceptance; moved by an extension')),
  extension: Nullable(Type.Object({ days: Type.Integer(), reason: Type.String(), at: DateTime() })),
  overdue: Type.Boolean({ description: 'A pending deadline has passed' }),
  overdueDeadline: Nullable(Type.Enum(['acceptance', 'reply', 'review'] as const, { description: 'review: the reviewing agency passed its opinion deadline' })),
  overdueAt: Nullable(DateTime()),
});

export const ReviewStageSchema = Type.Enum(['review', 're_review'] as const, {
  description: 'review: 复查 of the reply (art. 35); re_review: 复核 of the review opinion (art. 36)',
});

export const ReviewOut = Type.Object(
  {
    stage: ReviewStageSchema,
    agencyCode: Type.String({ description: 'The reviewing agency: one level above reviewedAgencyCode', examples: ['652300'] }),
    reviewedAgencyCode: Type.String({ description: 'The agency whose answer is reviewed', examples: ['652301'] }),
    requestedAt: DateTime(),
    requestedVia: Type.Enum(['intake', 'public'] as const, { description: 'Taken down by intake, or asked through the public lookup' }),
    reason: Type.String({ description: 'What the reporter does not accept, e.g. 烟囱仍在冒黑烟' }),
    dueAt: DateTime('The opinion is due by then: 30 days after the request, 24:00 China time'),
    overdue: Type.Boolean(),
    opinion: Nullable(Type.Object({ text: Type.String(), outcome: Type.Enum(['upheld', 'revised'] as const), at: DateTime(), by: Type.String() })),
  },
  { description: 'A review (复查) or re-review (复核), 信访工作条例 arts. 35–36' },
);

export const ComplaintSummary = Type.Object(
  {
    id: Type.String(),
    number: Type.String(),
    channel: ChannelSchema,
    category: CategorySchema,
    description: Type.String(),
    location: Nullable(Type.Object({ lat: Type.Number(), lng: Type.Number() })),
    address: Nullable(Type.String()),
    adminCode: Nullable(Type.String()),
    occurredAt: Nullable(DateTime()),
    urgent: Type.Boolean(),
    sourceId: Nullable(Type.String()),
    externalRef: Nullable(Type.String()),
    attachments: Type.Array(AttachmentSchema),
    status: StatusSchema,
    statusReason: Nullable(Type.String({ description: 'Why not accepted / transferred (told to the reporter)' })),
    transferredTo: Nullable(Type.String({ description: 'The department it was transferred to' })),
    receivedAt: DateTime(),
    acceptedAt: Nullable(DateTime()),
    startedAt: Nullable(DateTime()),
    deadlines: Deadlines,
    routing: Nullable(Routing),
    reply: Nullable(Type.Object({ text: Type.String(), at: DateTime(), by: Type.String({ description: 'API key id of the replier' }) })),
    feedback: Nullable(Type.Object({ satisfied: Type.Boolean(), comment: Nullable(Type.String()) })),
    closedAt: Nullable(DateTime()),
    closeReason: Nullable(
      Type.Enum(['feedback', 'auto', 'manual', 'final'] as const, {
        description:
          'feedback: the reporter was satisfied; auto: N days after the reply, or the review window passed unused; manual; final: after the re-review (复核) opinion',
      }),
    ),
    reviewRequestableUntil: Nullable(
      DateTime(
        'Until when the reporter may ask for review (复查, 30 days after the reply) or re-review (复核, 30 days after the review opinion), 24:00 China time; null while a review is pending, when final, or before a reply',
      ),
    ),
    reopened: Nullable(
      Type.Object({ at: DateTime(), reason: Type.String({ description: 'Why intake reopened it' }) }, { description: 'Set when intake reopened it' }),
    ),
    duplicateOf: Nullable(Type.String({ description: 'The master complaint this one duplicates' })),
    createdAt: DateTime(),
    updatedAt: DateTime(),
    version: Type.Integer({ description: 'Also the ETag; send If-Match to act on this version only' }),
  },
  { $id: 'ComplaintSummary' },
);

export const ComplaintDetail = Type.Intersect(
  [
    ComplaintSummary,
    Type.Object({
      duplicates: Type.Array(Type.Object({ id: Type.String(), number: Type.String(), status: StatusSchema, receivedAt: DateTime() }), {
        description: 'Complaints linked to this one as duplicates',
      }),
      history: Type.Array(
        Type.Object({
          type: Type.String({ description: 'Event type, e.g. complaint.accepted' }),
          time: DateTime(),
          data: Type.Record(Type.String(), Type.Unknown()),
        }),
      ),
      reviews: Type.Array(ReviewOut, { description: 'Review (复查) and re-review (复核) requests, oldest first' }),
      reporter: Type.Optional(Nullable(ReporterOut)),
    }),
  ],
  { $id: 'Complaint' },
);

export const ListQuery = Type.Object({
  ...FormatQuery,
  status: Type.Optional(StatusSchema),
  category: Type.Optional(CategorySchema),
  channel: Type.Optional(ChannelSchema),
  side: Type.Optional(SideSchema),
  agencyCode: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Lead agency' })),
  teamId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Complaints with an assignment to this team' })),
  overdue: Type.Optional(Type.Boolean({ description: 'Only complaints past a pending deadline (or not)' })),
  duplicateOf: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  receivedFrom: Type.Optional(DateTime('Received at or after')),
  receivedTo: Type.Optional(DateTime('Received before')),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Text in the description, address or number' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size (1–500)' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from a previous page’s nextCursor' })),
});

export const Reason = (what: string) => Type.String({ minLength: 1, maxLength: 2000, description: what });

export const CorrectionBody = Type.Object(
  {
    category: Type.Optional(CategorySchema),
    location: Type.Optional(LocationSchema),
    address: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 500, description: 'Street address (null removes it)' }))),
    adminCode: Type.Optional(Nullable(Type.String({ pattern: '^[0-9]{6}$', description: 'GB/T 2260 division code of the address (null removes it)' }))),
    urgent: Type.Optional(Type.Boolean({ description: 'Ongoing pollution' })),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'The fields to correct (at least one). A location, or an address with an adminCode, must remain.',
    examples: [{ category: 'water', location: { lat: 44.01, lng: 87.31 } }],
  },
);
