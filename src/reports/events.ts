import { Type } from 'typebox';
import { eventEntry, type EventTypeEntry } from '../outbox/catalog.js';

/** Events of the reports capability (subject `reports/<id>`). */
export const REPORT_EVENTS = {
  'report.published': eventEntry(
    'A weekly dispatch (周调度) or monthly bulletin (月通报) was generated and published; addressed to the agency it covers, or to every agency for the side-by-side one.',
    'Report id',
    {
      kind: Type.String({ description: 'weekly_dispatch | monthly_bulletin' }),
      scope: Type.String({ description: 'agency | sides' }),
      agencyCode: Type.Union([Type.String(), Type.Null()], { description: 'The agency covered; null for the side-by-side report' }),
      periodFrom: Type.String({ description: 'First day (China time)' }),
      periodTo: Type.String({ description: 'Last day (China time)' }),
    },
  ),
} satisfies Record<string, EventTypeEntry>;
