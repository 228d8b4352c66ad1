import { Type, type TSchema } from 'typebox';
import { eventEntry, type EventTypeEntry } from '../outbox/catalog.js';

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

const complaint = (description: string, props: Record<string, TSchema> = {}) => eventEntry(description, 'Complaint id', props);

/** complaint.* — emitted by 12369 intake. `data` never holds reporter fields, the reply text or the description. */
export const COMPLAINT_EVENTS = {
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
  'complaint.closed': complaint(
    'A complaint was closed: after the reporter’s satisfied feedback, by hand, automatically N days after the reply (or when the review window passed unused), or final after the re-review (复核) opinion.',
    {
      ...C,
      closedAt: T,
      reason: Type.String({ description: 'feedback | manual | auto | final' }),
      by: BY,
      satisfied: Type.Optional(Type.Boolean()),
    },
  ),
  'complaint.overdue': complaint('A complaint passed its acceptance or reply deadline, or its reviewing agency passed the review opinion deadline.', {
    ...C,
    deadline: Type.String({ description: 'acceptance | reply | review' }),
    dueAt: T,
    stage: Type.Optional(Type.String({ description: 'With deadline review: review (复查) | re_review (复核)' })),
    reviewAgencyCode: Type.Optional(Type.String({ description: 'With deadline review: the reviewing agency' })),
  }),
  'complaint.feedback_recorded': complaint(
    'The reporter is not satisfied with the reply: the feedback is recorded and the complaint stays replied, so a review (复查) can be requested until reviewRequestableUntil.',
    { ...C, satisfied: Type.Boolean(), reviewRequestableUntil: T, by: BY },
  ),
  'complaint.review_requested': complaint(
    'The reporter asked for review (复查, of the reply) or re-review (复核, of the review opinion) by the agency one level above (信访工作条例 arts. 35–36). The reporter’s reason is not in the event.',
    {
      ...C,
      stage: Type.String({ description: 'review | re_review' }),
      reviewAgencyCode: Type.String({ description: 'The reviewing agency (one level above reviewedAgencyCode)' }),
      reviewedAgencyCode: Type.String({ description: 'The agency whose answer is reviewed' }),
      requestedAt: T,
      dueAt: Type.String({ format: 'date-time', description: 'The review opinion is due by then (30 days, 24:00 China time)' }),
      via: Type.String({ description: 'intake | public' }),
      by: BY,
    },
  ),
  'complaint.review_opinion': complaint('The reviewing agency gave its review (复查) or re-review (复核) opinion; after the re-review the matter is final.', {
    ...C,
    stage: Type.String({ description: 'review | re_review' }),
    reviewAgencyCode: Type.String(),
    outcome: Type.String({ description: 'upheld | revised' }),
    opinionAt: T,
    final: Type.Boolean({ description: 'true after the re-review (复核): no further review' }),
    reviewRequestableUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'Until when a re-review may be requested (null when final)',
    }),
    by: BY,
  }),
  'complaint.reopened': complaint(
    'Intake reopened a closed complaint (within 30 days of closing, with a reason): it is accepted again, with a new reply deadline, and routed again.',
    {
      ...C,
      reason: Type.String(),
      replyDueAt: T,
      by: BY,
    },
  ),
  'complaint.updated': complaint('Intake corrected a complaint (category, location, address, urgency); when its owner changed it was routed again.', {
    ...C,
    fields: Type.Array(Type.String(), { description: 'Names of the changed fields (never their values)' }),
    rerouted: Type.Boolean({ description: 'The resolved owner changed: open assignments superseded, routed again' }),
    by: BY,
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
} satisfies Record<string, EventTypeEntry>;
