/**
 * Case state machine (pure).
 *
 *   registered → investigating → pending_decision → decided → executing → closed
 *   suspended:   from investigating / pending_decision / executing, back only to where it came from
 *   withdrawn:   from any state before `decided` (incl. suspended from before decided, transferred)
 *   transferred: from registered / investigating / pending_decision (to another agency);
 *                the receiving agency takes it up (→ investigating), transfers it on, or withdraws it
 *   closed, withdrawn: final
 */
import type { CaseStatus } from './tables.js';

const NEXT: Record<Exclude<CaseStatus, 'suspended'>, CaseStatus[]> = {
  registered: ['investigating', 'withdrawn', 'transferred'],
  investigating: ['pending_decision', 'suspended', 'withdrawn', 'transferred'],
  pending_decision: ['decided', 'suspended', 'withdrawn', 'transferred'],
  decided: ['executing'],
  executing: ['closed', 'suspended'],
  transferred: ['investigating', 'withdrawn', 'transferred'],
  closed: [],
  withdrawn: [],
};

/** Statuses before a decision: the decision deadline runs, withdrawal is possible. */
export const PRE_DECISION: readonly CaseStatus[] = ['registered', 'investigating', 'pending_decision', 'transferred'];

/** Whether the case is (effectively) before its decision. */
export function isPreDecision(c: { status: CaseStatus; suspendedFrom: CaseStatus | null }): boolean {
  return PRE_DECISION.includes(c.status) || (c.status === 'suspended' && !!c.suspendedFrom && PRE_DECISION.includes(c.suspendedFrom));
}

export function allowedTransitions(c: { status: CaseStatus; suspendedFrom: CaseStatus | null }): CaseStatus[] {
  if (c.status === 'suspended') {
    const back = c.suspendedFrom ?? 'investigating';
    return isPreDecision(c) ? [back, 'withdrawn'] : [back];
  }
  return NEXT[c.status];
}

/** Transitions that must carry a reason. */
export const NEEDS_REASON: readonly CaseStatus[] = ['suspended', 'withdrawn', 'transferred'];

/** Final states: nothing changes a case any more (no measures, no extensions). */
export const FINAL: readonly CaseStatus[] = ['closed', 'withdrawn'];
