import { endOfChinaDay } from '../calendar.js';
import type { ConsultationRow, DecisionProgressRow, DecisionRow } from './tables.js';

export function decisionView(d: DecisionRow, last: DecisionProgressRow | undefined) {
  return {
    id: d.id,
    consultationId: d.consultationId,
    seq: d.seq,
    text: d.text,
    ownerAgencyCode: d.ownerAgencyCode,
    ownerSide: d.ownerSide,
    dueOn: d.dueOn,
    dueAt: endOfChinaDay(d.dueOn).toISOString(),
    status: d.status,
    overdue: d.overdue,
    overdueAt: d.overdueAt ?? null,
    doneAt: d.doneAt ?? null,
    lastProgress: last ? { text: last.text, at: last.at, byAgencyCode: last.byAgencyCode } : null,
    createdAt: d.createdAt,
    version: d.version,
  };
}

export const decisionProgressView = (r: DecisionProgressRow) => ({
  id: r.id,
  decisionId: r.decisionId,
  text: r.text,
  done: r.done,
  byAgencyCode: r.byAgencyCode,
  at: r.at,
});

export function consultationView(c: ConsultationRow, decisions: DecisionRow[], open: DecisionRow[], last: Map<string, DecisionProgressRow>) {
  return {
    id: c.id,
    kind: c.kind,
    title: c.title,
    convenerAgencyCode: c.convenerAgencyCode,
    convenerSide: c.convenerSide,
    agencyCodes: c.agencyCodes,
    scheduledAt: c.scheduledAt,
    place: c.place ?? null,
    agenda: c.agenda,
    attendance: c.attendance,
    openDecisions: open.map((d) => decisionView(d, last.get(d.id))),
    status: c.status,
    // The recorder's key id stays internal.
    minutes: c.minutes ? { attendees: c.minutes.attendees, text: c.minutes.text, recordedAt: c.minutes.recordedAt } : null,
    decisions: decisions.map((d) => decisionView(d, last.get(d.id))),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    version: c.version,
  };
}
