import type { TSchema } from 'typebox';
import { eventEntry, type EventTypeEntry } from '../outbox/catalog.js';

const caseType = (description: string, props: Record<string, TSchema> = {}) => eventEntry(description, 'Case id', props);

/** case.* — emitted by the case registry (subject cases/<id>). */
export const CASE_EVENTS = {
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
} satisfies Record<string, EventTypeEntry>;
