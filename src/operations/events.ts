import { Type, type TSchema } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { appendEvent } from '../outbox/index.js';
import { partiesOf, type OperationRow, type TaskRow } from './visibility.js';

/**
 * Event types of joint operations. Audience: `agency:<code>` of the lead and every partner and
 * `team:<id>` of every operation team — exactly who may GET the operation and its tasks.
 */
export const OPERATION_EVENT_TYPES = {
  'joint_operation.created':
    'A joint or cross operation was proposed (subject joint-operations/<id>; data.kind, data.leadAgencyCode, data.partnerAgencyCodes).',
  'joint_operation.confirmed':
    'The other side confirmed: the targets were resolved and one task per target created (data.taskCount, data.confirmedByAgencyCode).',
  'joint_operation.task_recorded': 'An operation task was recorded (subject operation-tasks/<id>; data.outcome, data.caseId when a case was registered).',
  'joint_operation.tasks_rechecked':
    'The heavy-pollution alert that opened the operation changed level: its open tasks were re-checked against the new level (data.level, data.recheckedTaskIds).',
  'joint_operation.window_ended': 'A cross operation’s window ended: its visiting teams lost the read access to the cases it opened (data.revokedCaseGrants).',
  'joint_operation.closed': 'The lead closed the operation: open tasks cancelled, summary frozen (data.summary).',
} as const;
export type OperationEventType = keyof typeof OPERATION_EVENT_TYPES;

const dataOf = (type: string): TSchema =>
  type === 'joint_operation.task_recorded'
    ? Type.Object(
        {
          id: Type.String({ description: 'Task id' }),
          operationId: Type.String(),
          sourceId: Type.String(),
          status: Type.String(),
          outcome: Type.String(),
          caseId: Type.Union([Type.String(), Type.Null()]),
        },
        { additionalProperties: true },
      )
    : Type.Object(
        {
          id: Type.String({ description: 'Operation id' }),
          kind: Type.String(),
          status: Type.String(),
          leadAgencyCode: Type.String(),
          partnerAgencyCodes: Type.Array(Type.String()),
        },
        { additionalProperties: true },
      );

/** Catalog entries (src/events/catalog.ts lists them at GET /v1/event-types). */
export const OPERATION_EVENTS: Record<OperationEventType, { description: string; data: TSchema }> = Object.fromEntries(
  Object.entries(OPERATION_EVENT_TYPES).map(([type, description]) => [type, { description, data: dataOf(type) }]),
) as Record<OperationEventType, { description: string; data: TSchema }>;

const audienceOf = (op: OperationRow) => [...partiesOf(op).map((c) => `agency:${c}`), ...op.teamIds.map((t) => `team:${t}`)];

export function emitOperation(
  tx: Tx,
  deps: Deps,
  op: OperationRow,
  type: OperationEventType,
  data: Record<string, unknown> = {},
  actorAgencyCode?: string | null,
) {
  appendEvent(tx, deps.clock, {
    type,
    subject: `joint-operations/${op.id}`,
    data: { id: op.id, kind: op.kind, status: op.status, leadAgencyCode: op.leadAgencyCode, partnerAgencyCodes: op.partnerAgencyCodes, ...data },
    // No `side`: the operation spans both sides, and side:<x> would reach supervisors of neither party.
    side: null,
    agencyCode: op.leadAgencyCode,
    actorAgencyCode: actorAgencyCode ?? op.leadAgencyCode,
    audience: audienceOf(op),
  });
}

export function emitTask(tx: Tx, deps: Deps, op: OperationRow, task: TaskRow, actorAgencyCode?: string | null) {
  appendEvent(tx, deps.clock, {
    type: 'joint_operation.task_recorded',
    subject: `operation-tasks/${task.id}`,
    data: { id: task.id, operationId: op.id, sourceId: task.sourceId, status: task.status, outcome: task.outcome, caseId: task.caseId },
    side: null,
    agencyCode: op.leadAgencyCode,
    actorAgencyCode: actorAgencyCode ?? op.leadAgencyCode,
    audience: audienceOf(op),
  });
}
