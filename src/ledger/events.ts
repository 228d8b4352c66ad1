import { Type } from 'typebox';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { appendEvent } from '../outbox/index.js';
import { eventEntry, type EventTypeEntry } from '../outbox/catalog.js';
import type { TaskRow } from './tables.js';

const entry = (description: string, props: Parameters<typeof eventEntry>[2] = {}) =>
  eventEntry(description, 'Task id', { code: Type.String({ description: 'The plan’s number, e.g. 四-8' }), status: Type.String(), ...props });

/** Events of the rectification ledger (subject `rectification-tasks/<id>`). */
export const LEDGER_EVENTS = {
  'rectification_task.created': entry('A rectification task was added to the ledger.'),
  'rectification_task.updated': entry('A task’s measures, target, dates or agencies changed (data.changed lists the fields).'),
  'rectification_task.progress_reported': entry('The lead agency reported the week’s progress (data.weekOf, data.progressStatus).'),
  'rectification_task.progress_missed': entry('A week ended without a progress report while the task was open (data.weekOf).'),
  'rectification_task.overdue': entry('The due date passed (24:00 China time) before the task was signed off (data.dueOn).'),
  'rectification_task.close_off_requested': entry('The lead agency applied for close-off (销号申请).'),
  'rectification_task.close_off_rejected': entry('The supervising agency refused the close-off (data.reasons); the task is open again.'),
  'rectification_task.close_off_approved': entry(
    'The supervising agency signed the close-off off after its on-site check; public notice until data.noticeEndsOn.',
  ),
  'rectification_task.closed_off': entry('The public notice ran out: the task is closed off (销号).'),
  'rectification_task.reopened': entry('A supervisor reopened a closed-off task after a re-check (回头看; data.reason).'),
  'rectification_task.listed_supervision': entry('A late task was put under listed supervision (挂牌督办) by data.byAgencyCode.'),
} satisfies Record<string, EventTypeEntry>;
export type LedgerEventType = keyof typeof LEDGER_EVENTS;

/** The agencies a task concerns: its events go to them (and so to every supervisor above them). */
export const taskAgencies = (t: Pick<TaskRow, 'leadAgencyCode' | 'coAgencyCodes' | 'supervisingAgencyCode'>) => [
  ...new Set([t.leadAgencyCode, ...t.coAgencyCodes, t.supervisingAgencyCode]),
];

export function emitTask(tx: Tx, deps: Deps, t: TaskRow, type: LedgerEventType, data: Record<string, unknown> = {}, actorAgencyCode?: string | null) {
  appendEvent(tx, deps.clock, {
    type,
    subject: `rectification-tasks/${t.id}`,
    data: { ...data, id: t.id, code: t.code, status: t.status },
    side: t.leadSide,
    agencyCode: t.leadAgencyCode,
    actorAgencyCode: actorAgencyCode ?? t.leadAgencyCode,
    audience: taskAgencies(t).map((c) => `agency:${c}`),
  });
}
