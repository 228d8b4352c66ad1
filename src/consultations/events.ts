import { Type } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { appendEvent } from '../outbox/index.js';
import { eventEntry, type EventTypeEntry } from '../outbox/catalog.js';
import type { ConsultationRow, DecisionRow } from './tables.js';

const consultation = (description: string, props: Parameters<typeof eventEntry>[2] = {}) =>
  eventEntry(description, 'Consultation id', { kind: Type.String(), status: Type.String(), ...props });
const decision = (description: string, props: Parameters<typeof eventEntry>[2] = {}) =>
  eventEntry(description, 'Decision id', {
    consultationId: Type.String(),
    ownerAgencyCode: Type.String(),
    dueOn: Type.String(),
    status: Type.String(),
    ...props,
  });

/** Events of joint consultations (subjects `consultations/<id>` and `consultation-decisions/<id>`). */
export const CONSULTATION_EVENTS = {
  'consultation.scheduled': consultation('A consultation (会商) was convened; every invited agency is told (data.scheduledAt).'),
  'consultation.attendance_answered': consultation('An invited agency confirmed or declined attendance (data.agencyCode, data.attendance).'),
  'consultation.minutes_recorded': consultation('The minutes were recorded (data.decisions: how many decisions became follow-up items).'),
  'consultation_decision.progress_reported': decision('The owner agency reported progress on a decision.'),
  'consultation_decision.done': decision('The owner agency reported the decision carried out.'),
  'consultation_decision.overdue': decision('The due date passed (24:00 China time) while the decision was open.'),
} satisfies Record<string, EventTypeEntry>;
export type ConsultationEventType = keyof typeof CONSULTATION_EVENTS;

const audience = (c: Pick<ConsultationRow, 'agencyCodes'>) => c.agencyCodes.map((a) => `agency:${a}`);

export function emitConsultation(
  tx: Tx,
  deps: Deps,
  c: ConsultationRow,
  type: ConsultationEventType,
  data: Record<string, unknown>,
  actorAgencyCode: string | null,
) {
  appendEvent(tx, deps.clock, {
    type,
    subject: `consultations/${c.id}`,
    data: { ...data, id: c.id, kind: c.kind, status: c.status },
    side: c.convenerSide,
    agencyCode: c.convenerAgencyCode,
    actorAgencyCode: actorAgencyCode ?? c.convenerAgencyCode,
    audience: audience(c),
  });
}

/** A decision's events go to the consultation's participants, like the consultation's own. */
export function emitDecision(
  tx: Tx,
  deps: Deps,
  c: ConsultationRow,
  d: DecisionRow,
  type: ConsultationEventType,
  data: Record<string, unknown>,
  actorAgencyCode: string | null,
) {
  appendEvent(tx, deps.clock, {
    type,
    subject: `consultation-decisions/${d.id}`,
    data: { ...data, id: d.id, consultationId: c.id, ownerAgencyCode: d.ownerAgencyCode, dueOn: d.dueOn, status: d.status },
    side: d.ownerSide,
    agencyCode: d.ownerAgencyCode,
    actorAgencyCode: actorAgencyCode ?? d.ownerAgencyCode,
    audience: audience(c),
  });
}
