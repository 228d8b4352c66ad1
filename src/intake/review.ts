import { and, asc, eq, isNull } from 'drizzle-orm';
import { inTx, type Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { cancelTimer, scheduleTimer } from '../queue/timers.js';
import { newId } from '../ids.js';
import { notify } from '../notifications/index.js';
import { getAgency } from '../reference/hierarchy.js';
import { conflict } from '../http/problem.js';
import { complaintReviews, type ReviewStage } from './tables.js';
import {
  AUTO_CLOSE_JOB,
  DEADLINE_JOB,
  REVIEW_OPINION_DAYS,
  act,
  close,
  closeTimerId,
  emit,
  getComplaint,
  patch,
  reviewWindowEnd,
  type ActionCtx,
  type ComplaintRow,
} from './service.js';
import { dayCountDeadlineFrom } from '../calendar.js';
import { notifyOverdue } from './notify.js';
import { mayGiveReviewOpinion } from './visibility.js';

/*
 * The review path of a reporter who does not accept the answer (信访工作条例 (2022)):
 * - art. 35: within 30 days of the written reply, review (复查) by the agency one level above the
 *   handling agency, which gives its review opinion within 30 days of the request;
 * - art. 36: within 30 days of the review opinion, re-review (复核) one level above the reviewer,
 *   opinion within 30 days; after it the matter is final — the same matter is not reviewed again.
 * "One level above" is the parent in the reference agency hierarchy: county → prefecture →
 * autonomous region; regiment → division → corps. Days end at 24:00 China time (calendar.ts).
 */

export type ReviewRow = typeof complaintReviews.$inferSelect;

export const reviewTimerId = (id: string, stage: ReviewStage) => `c-review-${id}-${stage}`;

export function reviewsOf(tx: Tx, complaintId: string): ReviewRow[] {
  return tx.select().from(complaintReviews).where(eq(complaintReviews.complaintId, complaintId)).orderBy(asc(complaintReviews.requestedAt)).all();
}

export function pendingReview(tx: Tx, complaintId: string): ReviewRow | undefined {
  return tx
    .select()
    .from(complaintReviews)
    .where(and(eq(complaintReviews.complaintId, complaintId), isNull(complaintReviews.opinionAt)))
    .get();
}

const ART = { review: '信访工作条例 art. 35', re_review: '信访工作条例 art. 36' } as const;

export interface ReviewRequest {
  reason: string;
  via: 'intake' | 'public';
  /** API key id, or `public`. */
  by: string;
}

/**
 * Records a review (复查) or re-review (复核) request, in the caller's transaction. The stage
 * follows from what was done: no review yet → review of the reply (art. 35); a review opinion
 * given → re-review (art. 36); a re-review done → final, 409 `review-final`. Refused (409 naming
 * the rule) when the window has passed, when a review is already pending, or when there is no
 * agency one level above.
 */
export function requestReviewTx(tx: Tx, deps: Deps, row: ComplaintRow, r: ReviewRequest): ComplaintRow {
  const now = deps.clock.now();
  const reviews = reviewsOf(tx, row.id);
  const current = { currentStatus: row.status };
  if (row.closeReason === 'final' || reviews.some((x) => x.stage === 're_review' && x.opinionAt))
    throw conflict('review-final', `Complaint ${row.number} was re-reviewed (复核); the matter is final and is not reviewed again.`, {
      ...current,
      rule: ART.re_review,
    });
  if (row.status === 'under_review')
    throw conflict('review-pending', `Complaint ${row.number} is already under review; wait for the opinion.`, { ...current, rule: ART.review });
  const stage: ReviewStage = reviews.some((x) => x.stage === 'review') ? 're_review' : 'review';
  const allowed = stage === 'review' ? row.status === 'replied' || row.status === 'closed' : row.status === 'reviewed' || row.status === 'closed';
  if (!allowed || !row.repliedAt)
    throw conflict('invalid-transition', `Complaint ${row.number} is ${row.status}; review can be asked only of a written answer.`, current);
  if (!row.reviewRequestableUntil || now.toISOString() >= row.reviewRequestableUntil)
    throw conflict(
      'review-window-closed',
      `A ${stage === 'review' ? 'review (复查)' : 're-review (复核)'} must be requested within 30 days of the written ${stage === 'review' ? 'reply' : 'review opinion'}; that period ended at ${row.reviewRequestableUntil ?? 'its end'}.`,
      { ...current, rule: ART[stage], requestableUntil: row.reviewRequestableUntil },
    );
  // a duplicate was answered with its master: the master's handling agency answered it
  const handling = row.agencyCode ?? (row.duplicateOf ? (getComplaint(tx, row.duplicateOf)?.agencyCode ?? null) : null);
  const reviewed = stage === 'review' ? handling : reviews.find((x) => x.stage === 'review')!.agencyCode;
  if (!reviewed)
    throw conflict(
      'review-no-handling-agency',
      `Complaint ${row.number} has no handling agency (it was answered by the 12369 center); there is no agency above it to review it.`,
      {
        ...current,
        rule: ART[stage],
      },
    );
  const upper = getAgency(tx, reviewed)?.parentCode ?? null;
  if (!upper)
    throw conflict('review-no-higher-agency', `Agency ${reviewed} has no agency one level above it to review its answer.`, {
      ...current,
      rule: ART[stage],
      agencyCode: reviewed,
    });
  const iso = now.toISOString();
  const dueAt = dayCountDeadlineFrom(now, REVIEW_OPINION_DAYS).dueAt.toISOString();
  tx.insert(complaintReviews)
    .values({
      id: newId(),
      complaintId: row.id,
      stage,
      agencyCode: upper,
      reviewedAgencyCode: reviewed,
      requestedAt: iso,
      requestedVia: r.via,
      requestedBy: r.by,
      reason: r.reason,
      dueAt,
    })
    .run();
  const next = patch(tx, deps, row, {
    status: 'under_review',
    closedAt: null,
    closedBy: null,
    closeReason: null,
    reviewRequestableUntil: null,
  });
  cancelTimer(tx, closeTimerId(row.id), now);
  scheduleTimer(tx, { id: reviewTimerId(row.id, stage), name: DEADLINE_JOB, dueAt: new Date(dueAt), payload: { id: row.id, deadline: 'review', stage } });
  emit(tx, deps, next, 'complaint.review_requested', {
    stage,
    reviewAgencyCode: upper,
    reviewedAgencyCode: reviewed,
    requestedAt: iso,
    dueAt,
    via: r.via,
    by: r.by,
  });
  notify(tx, deps, {
    kind: 'complaint_review_requested',
    agencyCode: upper,
    subject: `complaints/${row.id}`,
    message: `Complaint ${row.number}: ${stage === 'review' ? 'review (复查)' : 're-review (复核)'} of ${reviewed}'s answer requested; opinion due ${dueAt}.`,
    category: row.category,
    data: { complaintId: row.id, number: row.number, stage, dueAt },
  });
  return next;
}

/** Intake takes down the reporter's request (POST /v1/complaints/{id}/review-request). */
export function requestReview(c: ActionCtx, reason: string) {
  return act(c, 'taken to review', ['replied', 'closed', 'reviewed', 'under_review'], (tx, row) =>
    requestReviewTx(tx, c.deps, row, { reason, via: 'intake', by: c.principal.keyId }),
  );
}

/** The reporter, through the public lookup with the query code (the caller has checked it). */
export function requestReviewPublic(deps: Deps, id: string, reason: string): ComplaintRow {
  return inTx(deps.db, (tx) => requestReviewTx(tx, deps, getComplaint(tx, id)!, { reason, via: 'public', by: 'public' }));
}

/**
 * The reviewing agency's opinion (policy `mayGiveReviewOpinion`: its supervisors or those above,
 * intake, admin). After a review (复查) the complaint is `reviewed` and a re-review may be asked
 * within 30 days of it (art. 36); after a re-review (复核) it closes as final.
 */
export function giveReviewOpinion(c: ActionCtx, text: string, outcome: 'upheld' | 'revised') {
  const { deps } = c;
  return act(
    c,
    'given a review opinion',
    ['under_review'],
    (tx, row, now) => {
      const pending = pendingReview(tx, row.id)!;
      const iso = now.toISOString();
      tx.update(complaintReviews)
        .set({ opinion: text, outcome, opinionAt: iso, opinionBy: c.principal.keyId })
        .where(eq(complaintReviews.id, pending.id))
        .run();
      cancelTimer(tx, reviewTimerId(row.id, pending.stage), now);
      const clear = row.overdueDeadline === 'review' ? { overdue: false, overdueDeadline: null, overdueAt: null } : {};
      const final = pending.stage === 're_review';
      const until = final ? null : reviewWindowEnd(now);
      const data = {
        stage: pending.stage,
        reviewAgencyCode: pending.agencyCode,
        outcome,
        opinionAt: iso,
        final,
        reviewRequestableUntil: until,
        by: c.principal.keyId,
      };
      if (final) {
        const opined = patch(tx, deps, row, clear);
        emit(tx, deps, opined, 'complaint.review_opinion', data);
        return close(tx, deps, opined, now, 'final', c.principal.keyId);
      }
      const next = patch(tx, deps, row, { status: 'reviewed', reviewRequestableUntil: until, ...clear });
      scheduleTimer(tx, { id: closeTimerId(row.id), name: AUTO_CLOSE_JOB, dueAt: new Date(until!), payload: { id: row.id } });
      emit(tx, deps, next, 'complaint.review_opinion', data);
      return next;
    },
    (tx, p, row) => mayGiveReviewOpinion(tx, p, pendingReview(tx, row.id)?.agencyCode ?? null),
  );
}

/** Review deadline timer fired: still no opinion at dueAt → overdue, event, the reviewing agency and the center told. */
export function onReviewDeadline(tx: Tx, deps: Deps, id: string, stage: ReviewStage) {
  const row = getComplaint(tx, id);
  const review = pendingReview(tx, id);
  const now = deps.clock.now();
  if (!row || row.status !== 'under_review' || !review || review.stage !== stage || review.dueAt > now.toISOString() || review.overdue) return;
  tx.update(complaintReviews).set({ overdue: true, overdueAt: now.toISOString() }).where(eq(complaintReviews.id, review.id)).run();
  const next = patch(tx, deps, row, { overdue: true, overdueDeadline: 'review', overdueAt: now.toISOString() });
  emit(tx, deps, next, 'complaint.overdue', { deadline: 'review', dueAt: review.dueAt, stage, reviewAgencyCode: review.agencyCode });
  notifyOverdue(tx, deps, next, 'review', review.dueAt, review.agencyCode);
}
