import { Type } from 'typebox';
import { FormatQuery } from '../http/csv.js';
import { DateTime, Nullable, SideSchema } from '../http/schemas.js';
import { PageQuery } from '../http/pagination.js';
import { COMMENT_KINDS, FILING_REASONS, FILING_STATUSES, FILING_TRIGGERS } from './tables.js';
import { INBOX_KINDS, INBOX_STATUSES } from '../notifications/tables.js';

const AgencyCode = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });
const Text = (description: string) => Type.String({ minLength: 1, maxLength: 2000, description });

export const FilingStatusSchema = Type.Enum(FILING_STATUSES, {
  description: 'pending (waiting for acknowledgement) → acknowledged; overdue when not acknowledged by ackDueAt (it can still be acknowledged late)',
});

export const CommentSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.Enum(COMMENT_KINDS, {
      description: 'comment; question = an information request of the receiving agency; answer = the filing agency’s answer to one',
    }),
    text: Type.String(),
    agencyCode: Nullable(Type.String({ description: 'Agency of the author (null for an admin)' })),
    by: Type.String({ description: 'API key id of the author' }),
    answersId: Nullable(Type.String({ description: 'For an answer: the question it answers' })),
    answeredAt: Nullable(DateTime('For a question: when it was answered')),
    createdAt: DateTime(),
  },
  { $id: 'FilingComment', description: 'A comment, information request or answer on a filing' },
);

const Loose = (description: string) => Type.Object({}, { additionalProperties: true, description });

export const SnapshotSchema = Type.Object(
  {
    id: Type.String({ description: 'Case id' }),
    number: Type.String({ description: 'Case number' }),
    title: Type.String(),
    category: Type.String(),
    side: SideSchema,
    leadAgencyCode: Type.String(),
    coHandlingAgencyCodes: Type.Array(Type.String()),
    location: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
    status: Type.String({ description: 'Case status when filed' }),
    summary: Type.String(),
    measures: Type.Array(Loose('A measure as it stood (GET /v1/cases/{id}/measures shape)')),
    takenAt: DateTime('When the snapshot was taken'),
  },
  {
    additionalProperties: true,
    description:
      'The case summary as it stood when filed (address, area, grid, joint, party, origin with complaint ids, decision, deadlines, source, measures…). It does not change when the case does. Never reporter data.',
  },
);

export const FilingSchema = Type.Object(
  {
    id: Type.String(),
    caseId: Type.String(),
    caseNumber: Type.String(),
    caseLink: Type.String({ description: 'The live case: GET it (the receiving agency has read access)' }),
    fromAgencyCode: Type.String({ description: 'Filing agency (the case’s lead agency, or the agency of the user who filed it by hand)' }),
    fromSide: SideSchema,
    toAgencyCode: Type.String({ description: 'Receiving agency, of the other side' }),
    toSide: SideSchema,
    trigger: Type.Enum(FILING_TRIGGERS, {
      description:
        'registered | decided | closed (case status), fine (≥ FILING_FINE_THRESHOLD_FEN, also a daily penalty’s total), police_transfer, seal_seizure, production_suspension, listed_supervision (measures), manual (asked by a user)',
    }),
    reasons: Type.Array(Type.Enum(FILING_REASONS), {
      description:
        'Why this agency receives it: place (its area contains the case’s place or lies within JOINT_BUFFER_METERS), source (the pollution source is under it), co_handling, manual',
    }),
    measureId: Nullable(Type.String({ description: 'The measure behind a measure trigger' })),
    note: Nullable(Type.String({ description: 'Note of a manual filing' })),
    category: Type.String(),
    snapshot: SnapshotSchema,
    status: FilingStatusSchema,
    createdAt: DateTime(),
    createdBy: Nullable(Type.String({ description: 'API key that asked for a manual filing; null for automatic ones' })),
    ackDueAt: DateTime('Acknowledge by (created + FILING_ACK_DAYS)'),
    escalateAt: DateTime('Escalated to the top agencies of both sides at (created + FILING_ESCALATE_DAYS) unless acknowledged'),
    acknowledgedBy: Nullable(Type.String({ description: 'API key id that acknowledged it' })),
    acknowledgedAt: Nullable(DateTime()),
    overdueAt: Nullable(DateTime()),
    escalatedAt: Nullable(DateTime()),
    comments: Type.Array(Type.Ref('FilingComment'), { description: 'Comments, information requests and answers, oldest first' }),
  },
  { $id: 'Filing', description: 'A cross-filing (互相备案) of a case with an agency of the other side' },
);

export const InboxItemSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.Enum(INBOX_KINDS, { description: 'filing (received), notification (通报), info_request (a question about a filing you made)' }),
    status: Type.Enum(INBOX_STATUSES, {
      description: 'filing: its filing’s status (pending | acknowledged | overdue); info_request: open | answered; notification: info',
    }),
    agencyCode: Type.String({ description: 'The agency whose inbox it is' }),
    subject: Type.String({ description: 'What it is about: filings/<id>, cases/<id>, complaints/<id>, assignments/<id>' }),
    link: Type.String({ description: 'API path of the subject, e.g. /v1/filings/<id>' }),
    filingId: Nullable(Type.String()),
    notificationKind: Nullable(
      Type.String({
        description:
          'For notifications: police_transfer, listed_supervision, heavy_fine, case_overdue, complaint_overdue, filing_overdue, filing_escalated, filing_info_answered, assignment_overdue, declined_twice…',
      }),
    ),
    message: Type.String({ description: 'One line for a human (for an info_request: the question)' }),
    data: Loose('Ids and facts of the subject (never reporter data)'),
    createdAt: DateTime(),
    read: Type.Boolean(),
    readAt: Nullable(DateTime()),
    readBy: Nullable(Type.String({ description: 'API key id that first read it' })),
  },
  { $id: 'InboxItem', description: 'An item of an agency’s inbox' },
);

export const ManualFilingBody = Type.Object(
  {
    toAgencyCode: AgencyCode('Receiving agency: must be of the other side (same side → 422: that is a case transfer)'),
    note: Type.Optional(Text('Why it is filed')),
  },
  { additionalProperties: false },
);

export const CommentBody = Type.Object(
  {
    text: Text('At most 2,000 characters'),
    answers: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'Id of an information request (question) this answers; only the filing agency answers' }),
    ),
  },
  { additionalProperties: false },
);

export const RequestInfoBody = Type.Object(
  { question: Text('The question for the filing agency (at most 2,000 characters)') },
  { additionalProperties: false },
);

export const FilingQuery = Type.Object({
  ...PageQuery,
  ...FormatQuery,
  caseId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  fromAgencyCode: Type.Optional(AgencyCode('Filing agency')),
  toAgencyCode: Type.Optional(AgencyCode('Receiving agency')),
  status: Type.Optional(FilingStatusSchema),
});

export const InboxQuery = Type.Object({
  ...PageQuery,
  kind: Type.Optional(Type.Enum(INBOX_KINDS)),
  status: Type.Optional(Type.Enum(INBOX_STATUSES)),
  unread: Type.Optional(Type.Boolean({ description: 'true: only unread items; false: only read ones' })),
});

export const FilingParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'Filing id' }) });
export const CaseParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'Case id' }) });
export const ItemParams = Type.Object({ itemId: Type.String({ minLength: 1, maxLength: 64, description: 'Inbox item id' }) });
