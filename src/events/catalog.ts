import { Type, type TSchema } from 'typebox';
import { inspectionCatalog } from '../inspections/events.js';

/**
 * The published event catalog: every CloudEvents `type` this service emits and the JSON Schema of
 * its `data`. Served at GET /v1/event-types and added to the OpenAPI document as `EventData.<type>`.
 *
 * The capability that emits a type owns its entry: refine the `data` schema here (smallest edit,
 * keep `id`). Reporter personal data (name, phone, email, address, id numbers) never goes in `data`.
 */
const loose = (description: string, props: Record<string, TSchema> = {}) =>
  Type.Object({ id: Type.String({ description }), ...props }, { additionalProperties: true });

/** Fields every complaint.* event carries. */
const T = Type.String({ format: 'date-time' });
const BY = Type.String({ description: 'API key id of the actor (or system / dedup / assignment:<id>)' });
const C = {
  number: Type.String({ description: 'e.g. 12369-2026-000123' }),
  status: Type.String({ description: 'Status after the change' }),
  category: Type.String(),
  urgent: Type.Boolean(),
  duplicateOf: Type.Union([Type.String(), Type.Null()]),
};
const complaint = (description: string, props: Record<string, TSchema> = {}) => ({
  description,
  data: loose('Complaint id', props),
});
const assignment = (description: string, props: Record<string, TSchema> = {}) => ({
  description,
  data: loose('Assignment id', props),
});
const caseType = (description: string, props: Record<string, TSchema> = {}) => ({
  description,
  data: loose('Case id', props),
});
const filing = (description: string, props: Record<string, TSchema> = {}) => ({
  description,
  data: loose('Filing id', props),
});

export interface EventTypeEntry {
  description: string;
  data: TSchema;
}

export const EVENT_TYPES: Record<string, EventTypeEntry> = {
  // complaint.* — owned by src/intake (data never holds reporter fields, the reply text or the description)
  'complaint.received': complaint('A 12369 complaint was received (subject complaints/<id>). No reporter data.', {
    ...C,
    channel: Type.String({ description: 'phone | web | wechat | letter | visit | open311 | other' }),
    receivedAt: T,
    acceptanceDueAt: T,
    by: BY,
  }),
  'complaint.duplicate_linked': complaint('A new complaint was linked as a duplicate of an open one nearby (it is not routed on its own).', {
    ...C,
    master: Type.String({ description: 'Id of the master complaint' }),
    distanceMeters: Type.Number(),
    by: BY,
  }),
  'complaint.accepted': complaint('A complaint was accepted for handling; routing follows (urgent ones first).', {
    ...C,
    acceptedAt: T,
    replyDueAt: T,
    by: BY,
  }),
  'complaint.not_accepted': complaint('A complaint was not accepted (with the reason the reporter is told).', { ...C, reason: Type.String(), by: BY }),
  'complaint.transferred': complaint('A complaint was transferred to a named non-environmental department (with a reason).', {
    ...C,
    department: Type.String(),
    reason: Type.String(),
    by: BY,
  }),
  'complaint.routed': complaint('A complaint was routed to its handling agency / team (again after a decline: rerouted).', {
    ...C,
    side: Type.Union([Type.String(), Type.Null()]),
    agencyCode: Type.Union([Type.String(), Type.Null()]),
    teamId: Type.Union([Type.String(), Type.Null()]),
    joint: Type.Boolean(),
    triage: Type.Boolean({ description: 'Nobody owns the place: the 12369 center triages it' }),
    rerouted: Type.Boolean(),
    assignments: Type.Array(
      Type.Object({ id: Type.String(), teamId: Type.String(), agencyCode: Type.String(), side: Type.Union([Type.String(), Type.Null()]), role: Type.String() }),
    ),
  }),
  'complaint.in_progress': complaint('Work on a complaint started (its lead assignment was claimed, or a handler said so).', { ...C, startedAt: T, by: BY }),
  'complaint.extended': complaint('The reply deadline was extended (once, within the legal maximum).', {
    ...C,
    days: Type.Integer(),
    reason: Type.String(),
    replyDueAt: T,
    by: BY,
  }),
  'complaint.replied': complaint(
    'The reporter was replied to (the reply content is not in the event). A master’s reply also replies its duplicates (viaMaster).',
    {
      ...C,
      repliedAt: T,
      by: BY,
      viaMaster: Type.Optional(Type.String({ description: 'Set on a duplicate replied with its master' })),
      caseId: Type.Optional(Type.String({ description: 'Set when the reply came from closing the case opened from it (by is case:<id>)' })),
      caseNumber: Type.Optional(Type.String({ description: 'That case’s number' })),
    },
  ),
  'complaint.closed': complaint('A complaint was closed: after the reporter’s feedback, by hand, or automatically N days after the reply.', {
    ...C,
    closedAt: T,
    reason: Type.String({ description: 'feedback | manual | auto' }),
    by: BY,
    satisfied: Type.Optional(Type.Boolean()),
  }),
  'complaint.overdue': complaint('A complaint passed its acceptance or reply deadline.', {
    ...C,
    deadline: Type.String({ description: 'acceptance | reply' }),
    dueAt: T,
  }),
  'complaint.unlinked': complaint('Intake unlinked a duplicate from its master (an accepted one is then routed).', {
    ...C,
    formerMaster: Type.String(),
    by: BY,
  }),
  'complaint.merged': complaint('Intake merged a complaint into another (it and its duplicates became duplicates of it).', {
    ...C,
    master: Type.String(),
    by: BY,
  }),
  'assignment.created': assignment('An inspection assignment was created (subject assignments/<id>).'),
  'assignment.claimed': assignment('A team claimed an assignment.'),
  'assignment.declined': assignment('A team declined an assignment.'),
  'assignment.completed': assignment('An assignment was completed.'),
  'assignment.overdue': assignment('An assignment was not claimed or completed in time.'),
  'assignment.superseded': assignment(
    'The system closed an open assignment because its subject moved (a case transferred to another agency: data.reason, data.toAgencyCode); a new one follows.',
  ),
  'assignment.cancelled': assignment(
    'The system closed an open assignment because its subject ended (a complaint closed, not accepted, transferred or merged; a case closed or withdrawn: data.reason); nothing replaces it.',
  ),
  'case.registered': caseType('An enforcement case was registered (subject cases/<id>).'),
  'case.status_changed': caseType('A case changed status (data.from, data.to; a transfer adds fromAgencyCode/toAgencyCode).'),
  'case.measure_added': caseType(
    'A measure (penalty, seal, restriction…) was added to a case (data.measureType, data.amountFen in fen where relevant, data.measure).',
  ),
  'case.overdue': caseType('A case passed a legal deadline (data.deadline = decision).'),
  'case.updated': caseType('A case’s details were changed (data.fields).'),
  'case.routed': caseType('A case was routed to its lead team (data.leadTeamId, data.assignments).'),
  'case.deadline_extended': caseType('The decision deadline of a case was extended (data.days, data.decisionDueAt).'),
  'case.measure_extended': caseType('A seal/seizure or production restriction was extended (data.measureId, data.endsOn).'),
  'case.measure_lifted': caseType('A measure was lifted (data.measureId, data.measureType).'),
  'filing.created': filing('A cross-side filing (抄告/移送) was created (subject filings/<id>).'),
  'filing.acknowledged': filing('The receiving side acknowledged a filing.'),
  'filing.overdue': filing('A filing was not acknowledged in time.'),
  'filing.escalated': filing('A filing still unacknowledged at FILING_ESCALATE_DAYS was escalated to the top agencies of both sides (data.escalatedTo).'),
  'filing.commented': filing('A comment, information request (data.kind = question) or answer was added to a filing (data.commentId; the text is in the API).'),
  // inspection_plan.* and inspection.* — owned by src/inspections (events.ts)
  ...inspectionCatalog(),
  'notification.created': {
    description: 'A notification (通报) was created for another side or for supervisors.',
    data: loose('Notification id'),
  },
  'subscription.disabled': {
    description: 'A webhook subscription was disabled (410 Gone or failing for 5 days). Visible to its owner.',
    data: loose('Subscription id', {
      reason: Type.String({ description: '`gone` (receiver answered 410) or `failing` (failing for 5 days)' }),
      url: Type.String({ description: 'The subscription URL' }),
    }),
  },
  ping: {
    description: 'Sent by POST /v1/subscriptions/{id}/test; never stored in the feed.',
    data: loose('Subscription id', { message: Type.String() }),
  },
};

export const EVENT_TYPE_NAMES = (): string[] => Object.keys(EVENT_TYPES).sort();

/** `$id` used for the data schema of `type` in the OpenAPI document. */
export const eventDataSchemaId = (type: string) => `EventData.${type}`;
