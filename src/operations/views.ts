/** Rows → API shapes, with the progress counted from the tasks. */
import type { Tx } from '../db/client.js';
import { sourceNames } from '../cases/sources.js';
import { operationTasksOf } from './service.js';
import type { OperationRow, TaskRow } from './visibility.js';

const counts = (ts: TaskRow[]) => ({
  targets: ts.length,
  open: ts.filter((t) => t.status === 'open').length,
  recorded: ts.filter((t) => t.status === 'recorded').length,
  cancelled: ts.filter((t) => t.status === 'cancelled').length,
});

export function taskViews(tx: Tx, rows: TaskRow[]) {
  const names = sourceNames(
    tx,
    rows.map((r) => r.sourceId),
  );
  return rows.map((r) => ({
    id: r.id,
    operationId: r.operationId,
    sourceId: r.sourceId,
    sourceName: names.get(r.sourceId)?.name ?? null,
    sourceSide: r.sourceSide,
    sourceAgencyCode: r.sourceAgencyCode,
    teamIds: r.teamIds,
    status: r.status,
    dueAt: r.dueAt,
    inspectionDate: r.inspectionDate,
    results: r.results,
    officersPresent: r.officersPresent,
    evidence: r.evidence,
    outcome: r.outcome,
    rectification: r.rectification,
    caseId: r.caseId,
    alertLevel: r.alertLevel as 'yellow' | 'orange' | 'red' | null,
    requiredMeasures: r.requiredMeasures,
    failedMeasure: r.failedMeasure,
    recordedAt: r.recordedAt,
    version: r.version,
  }));
}

export function operationView(tx: Tx, op: OperationRow, tasks: TaskRow[] = operationTasksOf(tx, [op.id])) {
  const recorded = tasks.filter((t) => t.status === 'recorded');
  return {
    id: op.id,
    name: op.name,
    kind: op.kind,
    side: op.side,
    leadAgencyCode: op.leadAgencyCode,
    partnerAgencyCodes: op.partnerAgencyCodes,
    window: { from: op.windowFrom, to: op.windowTo },
    focus: op.focus,
    teams: op.teamIds,
    note: op.note,
    status: op.status,
    confirmedAt: op.confirmedAt,
    confirmedByAgencyCode: op.confirmedByAgencyCode,
    closedAt: op.closedAt,
    progress: {
      total: counts(tasks),
      bySide: { region: counts(tasks.filter((t) => t.sourceSide === 'region')), corps: counts(tasks.filter((t) => t.sourceSide === 'corps')) },
      byTeam: op.teamIds.map((teamId) => ({ teamId, ...counts(tasks.filter((t) => t.teamIds.includes(teamId))) })),
      byOutcome: {
        no_issue: recorded.filter((t) => t.outcome === 'no_issue').length,
        rectify: recorded.filter((t) => t.outcome === 'rectify').length,
        case: recorded.filter((t) => t.outcome === 'case').length,
      },
    },
    airAlertId: op.airAlertId,
    summary: op.summary,
    tasks: taskViews(tx, tasks),
    createdAt: op.createdAt,
    updatedAt: op.updatedAt,
    version: op.version,
  };
}
