/**
 * Who may see and do what in joint operations. One policy per action; cannot see → 404, sees but
 * may not act → 403 naming the rule. Visibility matches the events' audience (agency:<lead and
 * partners>, team:<operation teams>) so a caller sees an event iff it may GET its subject.
 */
import { eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Principal } from '../auth/principal.js';
import { denied, notFound } from '../http/problem.js';
import { agencySubtree, getAgency } from '../reference/hierarchy.js';
import { jointOperations, operationTasks } from './tables.js';

export type OperationRow = typeof jointOperations.$inferSelect;
export type TaskRow = typeof operationTasks.$inferSelect;

export const partiesOf = (op: Pick<OperationRow, 'leadAgencyCode' | 'partnerAgencyCodes'>) => [op.leadAgencyCode, ...op.partnerAgencyCodes];

/** Supervisors of the agency or an agency above it. */
function supervises(tx: Tx, p: Principal, agencyCode: string): boolean {
  return p.role === 'supervisor' && !!p.agencyCode && agencySubtree(tx, p.agencyCode).includes(agencyCode);
}

export function maySee(tx: Tx, p: Principal, op: OperationRow): boolean {
  if (p.role === 'admin') return true;
  const parties = partiesOf(op);
  if (p.role === 'supervisor') return parties.some((c) => supervises(tx, p, c));
  if (p.role === 'inspector') return (!!p.agencyCode && parties.includes(p.agencyCode)) || (!!p.teamId && op.teamIds.includes(p.teamId));
  return false;
}

export function loadOperationFor(tx: Tx, p: Principal, id: string): OperationRow {
  const op = tx.select().from(jointOperations).where(eq(jointOperations.id, id)).get();
  if (!op || !maySee(tx, p, op)) throw notFound('joint operation', id);
  return op;
}

/** A task is visible to whoever sees its operation. */
export function loadTaskFor(tx: Tx, p: Principal, id: string): { task: TaskRow; op: OperationRow } {
  const task = tx.select().from(operationTasks).where(eq(operationTasks.id, id)).get();
  const op = task ? tx.select().from(jointOperations).where(eq(jointOperations.id, task.operationId)).get() : undefined;
  if (!task || !op || !maySee(tx, p, op)) throw notFound('operation task', id);
  return { task, op };
}

/** Proposing: admins, or a supervisor of the lead agency (or above it), of either side. */
export function assertMayPropose(tx: Tx, p: Principal, leadAgencyCode: string) {
  if (p.role === 'admin' || supervises(tx, p, leadAgencyCode)) return;
  throw denied(
    'operation-proposed-by-lead-supervisor',
    `Only admins and supervisors of the lead agency ${leadAgencyCode} (or above) propose a joint operation.`,
  );
}

/**
 * Confirming: a supervisor of a partner agency of the other side (or above it), or an admin. The
 * lead's side cannot confirm its own operation — the other side's consent is what makes it joint.
 * Returns the confirming agency.
 */
export function assertMayConfirm(tx: Tx, p: Principal, op: OperationRow): string {
  const otherSidePartners = op.partnerAgencyCodes.filter((c) => getAgency(tx, c)?.side !== op.side);
  if (p.role === 'admin') return otherSidePartners[0];
  if (p.side === op.side)
    throw denied(
      'operation-confirmed-by-other-side',
      `Operation ${op.id} was proposed by the ${op.side} side; only a supervisor of a partner agency of the other side (${otherSidePartners.join(', ')}) confirms it.`,
    );
  const mine = otherSidePartners.find((c) => supervises(tx, p, c));
  if (!mine)
    throw denied(
      'operation-confirmed-by-partner',
      `Only supervisors of the other side's partner agencies (${otherSidePartners.join(', ')}) confirm operation ${op.id}.`,
    );
  return mine;
}

/** Closing: admins and supervisors of the lead agency (or above). */
export function assertMayClose(tx: Tx, p: Principal, op: OperationRow) {
  if (p.role === 'admin' || supervises(tx, p, op.leadAgencyCode)) return;
  throw denied('operation-closed-by-lead', `Only supervisors of the lead agency ${op.leadAgencyCode} (or above) close operation ${op.id}.`);
}

/** Recording: an inspector of one of the task's teams, or a supervisor of a party agency (or above), or an admin. */
export function assertMayRecord(tx: Tx, p: Principal, op: OperationRow, task: TaskRow) {
  if (p.role === 'admin') return;
  if (p.role === 'inspector' && p.teamId && task.teamIds.includes(p.teamId)) return;
  if (p.role === 'supervisor' && partiesOf(op).some((c) => supervises(tx, p, c))) return;
  throw denied(
    'operation-task-recorded-by-its-teams',
    `Only inspectors of the task's teams (${task.teamIds.join(', ')}) or the parties' supervisors record task ${task.id}.`,
  );
}
