import { eq } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import type { JobRegistry } from '../queue/types.js';
import { registerSubject, ROUTE_JOB, TRANSFER_JOB, type RouteJob, type TransferJob } from '../domain/routing.js';
import { caseRoutingHooks, DECISION_DUE_JOB, markDecisionOverdue } from './service.js';
import { pollutionSources } from './tables.js';
import { ensureCaseTextIndex } from './text-search.js';

/** Services other capabilities look up: routing hooks for cases, the source locator for routing. */
export function caseServices(deps: Deps) {
  ensureCaseTextIndex(deps.db);
  registerSubject(deps, 'case', caseRoutingHooks);
  deps.services.sourceLocator = (tx, sourceId) => {
    const s = tx.select().from(pollutionSources).where(eq(pollutionSources.id, sourceId)).get();
    return s ? { location: { lat: s.lat, lng: s.lng }, agencyCode: s.agencyCode } : null;
  };
}

export function caseJobs(registry: JobRegistry, _deps: Deps) {
  // The decision deadline fired: the handler re-checks the case (a stale timer does nothing).
  registry.handle(DECISION_DUE_JOB, {
    queue: 'deadline',
    run: (payload: { caseId: string }, ctx) => {
      ctx.once((tx) => markDecisionOverdue(tx, ctx.deps, payload.caseId));
    },
  });
  // A registered case is routed like a complaint, by the routing capability's route.subject job
  // (only when that handler exists, so the registry works without routing installed).
  registry.react(['case.registered'], (e) => {
    if (!registry.handlers.has(ROUTE_JOB)) return [];
    const payload: RouteJob = { kind: 'case', id: String(e.data.id) };
    return [{ queue: 'route', name: ROUTE_JOB, id: `route-${e.id}`, payload }];
  });
  // A case transferred to another agency: its old lead assignment is superseded and it is
  // re-routed within the new lead agency (route.transfer, src/assignments).
  registry.react(['case.status_changed'], (e) => {
    if (e.data.to !== 'transferred' || !registry.handlers.has(TRANSFER_JOB)) return [];
    const payload: TransferJob = { kind: 'case', id: String(e.data.id), toAgencyCode: String(e.data.toAgencyCode) };
    return [{ queue: 'route', name: TRANSFER_JOB, id: `transfer-${e.id}`, payload }];
  });
}
