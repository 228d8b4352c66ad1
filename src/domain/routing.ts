import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { Side } from './index.js';

/**
 * The contract between routing (jurisdiction + assignments) and the subjects it routes
 * (complaints, cases). A subject capability registers its hooks with `registerSubject` in its
 * `init`; the routing job `route.subject` (queue `route`, payload RouteJob) loads the
 * subject through them, creates the assignments, then calls `onRouted` in the same transaction.
 * Drawn random inspections (kind `inspection`) are not routed by place: their assignments go to the
 * drawn officers' teams (assignToTeams in src/assignments); their hooks say they are not routable,
 * so a declined inspection assignment is not re-routed. Joint-operation tasks (kind `operation_task`)
 * are the same: their teams are chosen by the operation.
 */
export type SubjectKind = 'complaint' | 'case' | 'inspection' | 'operation_task';

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
  side: Side | null;
  role: 'lead' | 'co_handling';
}

export interface RoutingOutcome {
  side: Side | null;
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
declare module '../deps.js' {
  interface Services {
    /** Each routed subject capability registers its hooks here in its `init`. */
    routing: Partial<Record<SubjectKind, SubjectHooks>>;
    /** Optional: the pollution-source registry places a subject that names a source. */
    sourceLocator?: SourceLocator;
  }
}

export function subjectHooks(deps: Deps, kind: SubjectKind): SubjectHooks {
  const h = deps.services.routing?.[kind];
  if (!h) throw new Error(`no routing hooks registered for ${kind}`);
  return h;
}

/** Registers a subject capability's routing hooks (called from its `init`). */
export function registerSubject(deps: Deps, kind: SubjectKind, hooks: SubjectHooks) {
  deps.services.routing = { ...deps.services.routing, [kind]: hooks };
}

/**
 * Optional: the pollution-source registry may set `deps.services.sourceLocator`.
 * Routing then places a subject that has a sourceId but no location at the source's location
 * (or, without one, at the source's supervising agency).
 */
export type SourceLocator = (tx: Tx, sourceId: string) => { location?: { lat: number; lng: number } | null; agencyCode?: string | null } | null;

/** Event subject of a routed subject: `complaints/<id>` or `cases/<id>`. */
const SUBJECT_PATHS: Record<SubjectKind, string> = { complaint: 'complaints', case: 'cases', inspection: 'inspections', operation_task: 'operation-tasks' };
export const subjectPath = (kind: SubjectKind, id: string) => `${SUBJECT_PATHS[kind]}/${id}`;
