import { asc, eq } from 'drizzle-orm';
import { csvExample } from '../http/csv.js';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { seesAll, type Principal } from '../auth/principal.js';
import { eventsForSubject } from '../outbox/index.js';
import { newId } from '../ids.js';
import { assignmentsOfSubjects, type AssignmentRow } from '../assignments/service.js';
import { complaints, piiReads } from './tables.js';
import { pii, type ComplaintRow } from './service.js';
import { reviewsOf, type ReviewRow } from './review.js';

export const reviewView = (r: ReviewRow) => ({
  stage: r.stage,
  agencyCode: r.agencyCode,
  reviewedAgencyCode: r.reviewedAgencyCode,
  requestedAt: r.requestedAt,
  requestedVia: r.requestedVia,
  reason: r.reason,
  dueAt: r.dueAt,
  overdue: r.overdue,
  opinion: r.opinionAt ? { text: r.opinion ?? '', outcome: r.outcome ?? 'upheld', at: r.opinionAt, by: r.opinionBy ?? '' } : null,
});

type RouteRow = AssignmentRow;

/** The API shape of a complaint (never the reporter: see detailView). */
export function summaryView(row: ComplaintRow, routes: RouteRow[]) {
  return {
    id: row.id,
    number: row.number,
    channel: row.channel,
    category: row.category,
    description: row.description,
    location: row.lat !== null && row.lng !== null ? { lat: row.lat, lng: row.lng } : null,
    address: row.address,
    adminCode: row.adminCode,
    occurredAt: row.occurredAt,
    urgent: row.urgent,
    sourceId: row.sourceId,
    externalRef: row.externalRef,
    attachments: row.attachments,
    status: row.status,
    statusReason: row.statusReason,
    transferredTo: row.transferredTo,
    receivedAt: row.receivedAt,
    acceptedAt: row.acceptedAt,
    startedAt: row.startedAt,
    deadlines: {
      acceptanceDueAt: row.acceptanceDueAt,
      replyDueAt: row.replyDueAt,
      extension: row.extensionDays !== null ? { days: row.extensionDays, reason: row.extensionReason ?? '', at: row.extendedAt ?? row.updatedAt } : null,
      overdue: row.overdue,
      overdueDeadline: row.overdueDeadline,
      overdueAt: row.overdue ? row.overdueAt : null,
    },
    routing: row.routedAt
      ? {
          side: row.side,
          agencyCode: row.agencyCode,
          teamId: row.teamId,
          areaId: row.areaId,
          gridId: row.gridId,
          joint: row.joint,
          triage: row.triage,
          routedAt: row.routedAt,
          assignments: routes.map((r) => ({
            assignmentId: r.id,
            teamId: r.teamId,
            agencyCode: r.agencyCode,
            side: r.side,
            role: r.role,
            status: r.status,
            overdue: r.overdue,
            createdAt: r.createdAt,
          })),
        }
      : null,
    reply: row.replyText !== null ? { text: row.replyText, at: row.repliedAt!, by: row.repliedBy ?? '' } : null,
    feedback: row.feedbackSatisfied !== null ? { satisfied: row.feedbackSatisfied, comment: row.feedbackComment } : null,
    closedAt: row.closedAt,
    closeReason: row.closeReason,
    reviewRequestableUntil: row.reviewRequestableUntil,
    reopened: row.reopenedAt ? { at: row.reopenedAt, reason: row.reopenReason ?? '' } : null,
    duplicateOf: row.duplicateOf,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
}

export function routesOf(tx: Tx, ids: string[]): Map<string, RouteRow[]> {
  const out = new Map<string, RouteRow[]>();
  if (!ids.length) return out;
  for (const r of assignmentsOfSubjects(tx, 'complaint', ids)) out.set(r.subjectId, [...(out.get(r.subjectId) ?? []), r]);
  return out;
}

/**
 * Full view with duplicates and history. Reporter fields only for intake/admin, and each such
 * read is recorded in pii_reads (in the caller's transaction).
 */
export function detailView(tx: Tx, deps: Deps, p: Principal, row: ComplaintRow, via: string) {
  const base = summaryView(row, routesOf(tx, [row.id]).get(row.id) ?? []);
  const duplicates = tx
    .select({ id: complaints.id, number: complaints.number, status: complaints.status, receivedAt: complaints.receivedAt })
    .from(complaints)
    .where(eq(complaints.duplicateOf, row.id))
    .orderBy(asc(complaints.receivedAt))
    .all();
  const history = eventsForSubject(tx, `complaints/${row.id}`).map((e) => ({ type: e.type, time: e.time, data: e.data }));
  const reviews = reviewsOf(tx, row.id).map(reviewView);
  if (!seesAll(p)) return { ...base, duplicates, history, reviews };
  let reporter = null;
  if (row.reporterEnc) {
    const r = pii(deps).decrypt(row.reporterEnc, row.id);
    reporter = { name: r.name ?? null, phone: r.phone ?? null, email: r.email ?? null, anonymous: row.reporterAnonymous };
    tx.insert(piiReads).values({ id: newId(), keyId: p.keyId, role: p.role, complaintId: row.id, at: deps.clock.now().toISOString(), via }).run();
  } else if (!row.reporterAnonymous) {
    reporter = { name: null, phone: null, email: null, anonymous: false };
  }
  return { ...base, duplicates, history, reviews, reporter };
}

/** CSV export columns (GET /v1/complaints?format=csv): the summary's fields, never reporter data. */
export const COMPLAINT_CSV = [
  'number',
  'channel',
  'category',
  'status',
  'urgent',
  'description',
  'address',
  'adminCode',
  'location.lat',
  'location.lng',
  'occurredAt',
  'receivedAt',
  'acceptedAt',
  'deadlines.acceptanceDueAt',
  'deadlines.replyDueAt',
  'deadlines.overdue',
  'routing.side',
  'routing.agencyCode',
  'routing.teamId',
  'routing.joint',
  'reply.at',
  'feedback.satisfied',
  'closedAt',
  'id',
] as const;
export const COMPLAINT_CSV_EXAMPLE = csvExample(COMPLAINT_CSV, [
  '12369-20261201-000042',
  'hotline',
  'air',
  'accepted',
  false,
  '昌吉市延安北路附近一家热电厂夜间烟囱冒黑烟，气味刺鼻',
  '新疆昌吉回族自治州昌吉市延安北路198号',
  '652301',
  44.0113,
  87.3083,
  '2026-12-01T13:30:00.000Z',
  '2026-12-01T14:02:11.000Z',
  '2026-12-01T15:10:00.000Z',
  '2026-12-02T14:02:11.000Z',
  '2027-02-28T15:59:59.999Z',
  false,
  'region',
  '652301',
  'team-652301-air',
  false,
  null,
  null,
  null,
  '01a23187-e5ef-7582-93ce-33c9d6951b71',
]);
