import type { FastifyPluginAsync } from 'fastify';
import type { Capability } from '../http/capability.js';
import type { Deps } from '../deps.js';
import type { JobRegistry, JobRequest } from '../queue/types.js';
import { sideQueue } from '../queue/types.js';
import { ROUTE_JOB, registerSubject, type RouteJob } from '../domain/routing.js';
import { PiiCipher } from './pii.js';
import { AUTO_CLOSE_JOB, DEADLINE_JOB, LEAD_CLAIMED_JOB, complaintHooks, onAutoClose, onDeadline, onLeadClaimed, replyFromCase } from './service.js';
import { intakeRoutes } from './routes.js';
import { onReviewDeadline } from './review.js';
import type { ReviewStage } from './tables.js';
import { publicLookupRoutes } from './public.js';
import { open311Routes } from './open311.js';

/** Event type the routing capability emits when a team claims an assignment (subject `assignments/<id>`). */
export const ASSIGNMENT_CLAIMED = 'assignment.claimed';

function jobs(registry: JobRegistry, _deps: Deps) {
  registry.handle(DEADLINE_JOB, {
    queue: 'deadline',
    run: (p: { id: string; deadline: 'acceptance' | 'reply' | 'review'; stage?: ReviewStage }, ctx) => {
      ctx.once((tx) => (p.deadline === 'review' ? onReviewDeadline(tx, ctx.deps, p.id, p.stage ?? 'review') : onDeadline(tx, ctx.deps, p.id, p.deadline)));
    },
  });
  registry.handle(AUTO_CLOSE_JOB, {
    queue: 'deadline',
    run: (p: { id: string }, ctx) => {
      ctx.once((tx) => onAutoClose(tx, ctx.deps, p.id));
    },
  });
  registry.handle(LEAD_CLAIMED_JOB, {
    queue: 'work-region',
    run: (p: { assignmentId: string }, ctx) => {
      ctx.once((tx) => onLeadClaimed(tx, ctx.deps, p.assignmentId));
    },
  });
  registry.react([ASSIGNMENT_CLAIMED, 'complaint.accepted', 'complaint.unlinked', 'complaint.reopened'], (event): JobRequest[] => {
    if (event.type === ASSIGNMENT_CLAIMED) {
      if (event.data.subjectKind !== 'complaint' || event.data.role !== 'lead') return [];
      // Work that lands on a side's team runs on that side's queue.
      const assignmentId = event.subject.slice('assignments/'.length);
      return [{ queue: sideQueue(event.side), name: LEAD_CLAIMED_JOB, id: `complaint-claimed-${event.id}`, payload: { assignmentId } }];
    }
    if (!event.subject.startsWith('complaints/')) return [];
    const d = event.data as { id: string; urgent?: boolean; duplicateOf?: string | null; status?: string };
    const wantsRoute =
      ((event.type === 'complaint.accepted' || event.type === 'complaint.reopened') && !d.duplicateOf) ||
      (event.type === 'complaint.unlinked' && d.status === 'accepted');
    // Until the routing capability registers route.subject, accepted complaints wait in `accepted`.
    if (!wantsRoute || !registry.handlers.has(ROUTE_JOB)) return [];
    const payload: RouteJob = { kind: 'complaint', id: d.id };
    return [{ queue: 'route', name: ROUTE_JOB, id: `route-${event.id}`, payload, priority: d.urgent ? 1 : 5 }];
  });
}

const routes =
  (deps: Deps): FastifyPluginAsync =>
  async (app) => {
    await app.register(intakeRoutes(deps));
    await app.register(publicLookupRoutes(deps));
    await app.register(open311Routes(deps));
  };

/** 12369 intake: complaints, deadlines, dedup, confidentiality, public lookup, Open311. */
export const intakeCapability: Capability = {
  name: 'intake',
  init(deps) {
    deps.services.pii = new PiiCipher(deps.services.sealer.hexKey);
    registerSubject(deps, 'complaint', complaintHooks);
    // A case opened from complaints closed: their reporters are answered (in the closing transaction).
    deps.services.onCaseClosed = (tx, complaintIds, caseId) => void replyFromCase(tx, deps, complaintIds, caseId);
  },
  jobs,
  routes,
};

/** Complaint figures within the caller's visibility (GET /v1/stats/complaints, reports). */
export { complaintStats, COMPLAINT_DIMENSIONS } from './stats.js';
