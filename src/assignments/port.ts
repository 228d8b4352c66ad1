import type { Tx } from '../db/client.js';
import type { Deps } from '../queue/types.js';

/**
 * The contract between routing (jurisdiction + assignments) and the subjects it routes
 * (complaints, cases). A subject capability registers its hooks in deps.services under
 * `routing:<kind>`; the routing job `route.subject` (queue `route`, payload RouteJob) loads the
 * subject through them, creates the assignments, then calls `onRouted` in the same transaction.
 */
export type SubjectKind = 'complaint' | 'case';

export interface RoutableSubject {
  kind: SubjectKind;
  id: string;
  category: string;
  location: { lat: number; lng: number } | null;
  /** GB/T 2260 code, used when there is no location. */
  adminCode?: string | null;
  sourceId?: string | null;
  urgent?: boolean;
  /** Set for cases: the lead agency chosen by the registering side (routing stays within it). */
  leadAgencyCode?: string | null;
  /** Hours until an assignment must be claimed (default ASSIGNMENT_CLAIM_HOURS). */
  claimHours?: number;
}

export interface RoutedAssignment {
  id: string;
  teamId: string;
  agencyCode: string;
  side: 'region' | 'corps' | null;
  role: 'lead' | 'co_handling';
}

export interface RoutingOutcome {
  side: 'region' | 'corps' | null;
  agencyCode: string | null;
  teamId: string | null;
  areaId: string | null;
  gridId: string | null;
  joint: boolean;
  /** true when nothing owns the place (or it was declined twice): the 12369 center's triage. */
  triage: boolean;
  /** Assignments given to teams (lead and co-handling); a triage assignment is not listed here. */
  assignments: RoutedAssignment[];
  /** Id of the 12369 center's triage assignment when `triage` is true. */
  triageAssignmentId?: string | null;
}

export interface SubjectHooks {
  load(tx: Tx, id: string): RoutableSubject | null;
  /** Called in the routing transaction; the subject records its owner and emits e.g. complaint.routed. */
  onRouted(tx: Tx, deps: Deps, id: string, outcome: RoutingOutcome): void;
  /** Whether the subject still wants routing (e.g. a complaint that was closed meanwhile does not). */
  routable?(tx: Tx, id: string): boolean;
}

export interface RouteJob {
  kind: SubjectKind;
  id: string;
}

export const ROUTE_JOB = 'route.subject';

/**
 * Re-routing after a subject changed its lead agency (a case transferred to another agency): the
 * subject capability enqueues `route.transfer` (queue `route`, id `transfer-<event id>`) from its
 * transfer event. The handler supersedes the subject's open lead assignment(s), routes it within
 * the new lead agency (the hooks' `load` must already return the new `leadAgencyCode`), and calls
 * `onRouted` in the same transaction.
 */
export const TRANSFER_JOB = 'route.transfer';
export interface TransferJob {
  kind: SubjectKind;
  id: string;
  /** The agency the subject was transferred to; a job for an earlier transfer is then a no-op. */
  toAgencyCode: string;
}
export const hooksKey = (kind: SubjectKind) => `routing:${kind}`;

export function subjectHooks(deps: Deps, kind: SubjectKind): SubjectHooks {
  const h = deps.services.get(hooksKey(kind)) as SubjectHooks | undefined;
  if (!h) throw new Error(`no routing hooks registered for ${kind}`);
  return h;
}

/**
 * Optional: the pollution-source registry may register `deps.services.set(SOURCE_LOCATOR, fn)`.
 * Routing then places a subject that has a sourceId but no location at the source's location
 * (or, without one, at the source's supervising agency).
 */
export type SourceLocator = (tx: Tx, sourceId: string) => { location?: { lat: number; lng: number } | null; agencyCode?: string | null } | null;
export const SOURCE_LOCATOR = 'routing:source-locator';

/** Event subject of a routed subject: `complaints/<id>` or `cases/<id>`. */
export const subjectPath = (kind: SubjectKind, id: string) => `${kind === 'complaint' ? 'complaints' : 'cases'}/${id}`;
