import { Type } from 'typebox';
import { eventEntry, type EventTypeEntry } from '../outbox/catalog.js';

/** calendar.* — an admin imported a holiday year. */
export const OPS_EVENTS = {
  'calendar.year_imported': eventEntry(
    'An admin imported the public holidays and adjusted working days of a year (subject calendar/<year>); deadlines computed from now on use them.',
    'The year, e.g. "2027"',
    { offDays: Type.Integer({ description: 'Days off listed' }), workDays: Type.Integer({ description: 'Adjusted working weekend days (调休上班) listed' }) },
  ),
} satisfies Record<string, EventTypeEntry>;
