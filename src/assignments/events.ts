import type { TSchema } from 'typebox';
import { eventEntry, type EventTypeEntry } from '../outbox/catalog.js';

const assignment = (description: string, props: Record<string, TSchema> = {}) => eventEntry(description, 'Assignment id', props);

/** assignment.* — emitted by the work lists (subject assignments/<id>). */
export const ASSIGNMENT_EVENTS = {
  'assignment.created': assignment('An inspection assignment was created (subject assignments/<id>).'),
  'assignment.claimed': assignment('A team claimed an assignment.'),
  'assignment.declined': assignment('A team declined an assignment.'),
  'assignment.completed': assignment('An assignment was completed.'),
  'assignment.overdue': assignment('An assignment was not claimed or completed in time.'),
  'assignment.cancelled': assignment(
    'The system closed an open assignment because its subject ended (a complaint closed, not accepted, transferred or merged; a case closed or withdrawn: data.reason); nothing replaces it.',
  ),
  'assignment.superseded': assignment(
    'The system closed an open assignment because its subject moved (a case transferred to another agency: data.reason, data.toAgencyCode); a new one follows.',
  ),
} satisfies Record<string, EventTypeEntry>;
