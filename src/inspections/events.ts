import { Type, type TSchema } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { appendEvent } from '../outbox/index.js';

/**
 * Event types of random inspections. Confidentiality: until a result is published, events name no
 * source and no officer — only ids of the plan and inspection, counts and states — because their
 * audience (the plan agency, `agency:<code>`) includes that agency's inspectors. The drawn list is
 * read through the API, where it is checked per caller.
 */
export const INSPECTION_EVENT_TYPES = {
  'inspection_plan.created': 'A random-inspection plan was created (subject inspection-plans/<id>).',
  'inspection_plan.committed': 'A party agency committed to its secret (data.agencyCode, data.commitment).',
  'inspection_plan.frozen': 'Every party committed: the pools were frozen (data.inputHash, data.poolSizes); reveals may start.',
  'inspection_plan.revealed': 'A party agency revealed its secret (data.agencyCode; the secret itself is public once the period ends).',
  'inspection_plan.drawn': 'The last reveal ran the draw (data.seed, data.targetCount).',
  'inspection_plan.failed': 'The draw could not be satisfied (data.failure.constraint names the rule).',
  'inspection.opened': 'The inspection period started: an inspection was assigned to its drawn officers’ teams (subject inspections/<id>; no source named).',
  'inspection.recorded': 'An inspection was recorded (data.outcome; data.caseId when a case was registered).',
  'inspection.published': 'A supervisor approved an inspection result for publication (data carries the public result).',
  'inspection.publication_overdue': 'A recorded result was not published within INSPECTION_PUBLICATION_WORKING_DAYS working days.',
} as const;
export type InspectionEventType = keyof typeof INSPECTION_EVENT_TYPES;

const idOf = (description: string, props: Record<string, TSchema> = {}) =>
  Type.Object({ id: Type.String({ description }), ...props }, { additionalProperties: true });

/** Catalog entries (src/events/catalog.ts lists them at GET /v1/event-types). */
export const inspectionCatalog = (): Record<string, { description: string; data: TSchema }> =>
  Object.fromEntries(
    Object.entries(INSPECTION_EVENT_TYPES).map(([type, description]) => [
      type,
      {
        description,
        data: type.startsWith('inspection_plan.')
          ? idOf('Plan id', { agencyCode: Type.String(), status: Type.String() })
          : idOf('Inspection id', { planId: Type.String(), status: Type.String() }),
      },
    ]),
  );

export function emitPlan(
  tx: Tx,
  deps: Deps,
  plan: { id: string; agencyCode: string; side: string; status: string; parties: { agencyCode: string }[] },
  type: InspectionEventType,
  data: Record<string, unknown> = {},
  actorAgencyCode?: string | null,
) {
  appendEvent(tx, deps.clock, {
    type,
    subject: `inspection-plans/${plan.id}`,
    data: { id: plan.id, agencyCode: plan.agencyCode, status: plan.status, ...data },
    side: plan.side,
    agencyCode: plan.agencyCode,
    actorAgencyCode: actorAgencyCode ?? plan.agencyCode,
    audience: plan.parties.map((p) => `agency:${p.agencyCode}`),
  });
}

/** Inspection events: the plan agency and, through their teams, the drawn officers (no source named before publication). */
export function emitInspection(
  tx: Tx,
  deps: Deps,
  i: { id: string; planId: string; status: string },
  planAgency: string,
  type: InspectionEventType,
  data: Record<string, unknown> = {},
  audience: string[] = [],
) {
  appendEvent(tx, deps.clock, {
    type,
    subject: `inspections/${i.id}`,
    data: { id: i.id, planId: i.planId, status: i.status, ...data },
    side: null,
    agencyCode: planAgency,
    actorAgencyCode: planAgency,
    audience,
  });
}
