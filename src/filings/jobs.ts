import type { JobContext, JobRegistry } from '../queue/types.js';
import type { Deps } from '../deps.js';
import { FILING_ACK_DUE, FILING_ESCALATE, escalateFiling, evaluateFilings, markFilingOverdue, type EvaluateJob } from './service.js';
import { sendNotice, type NoticeJob } from './notices.js';
import { FILING_EVALUATE, FILING_EVENT_TYPES, FILING_NOTIFY, filingJobsFor } from './triggers.js';

/** `filing.evaluate` body: effects once per job id (the unique key also holds across job ids). */
export const runEvaluate = (payload: EvaluateJob, ctx: JobContext) => {
  ctx.once((tx) => {
    evaluateFilings(tx, ctx.deps, payload);
  });
};

/** `filing.notify` body. */
export const runNotice = (payload: NoticeJob, ctx: JobContext) => {
  ctx.once((tx) => {
    sendNotice(tx, ctx.deps, payload);
  });
};

export function filingJobs(registry: JobRegistry, _deps: Deps) {
  // Requests go to the case side's work queue (sideQueue); `queue` here is only the default.
  registry.handle(FILING_EVALUATE, { queue: 'work-region', run: runEvaluate });
  registry.handle(FILING_NOTIFY, { queue: 'notify', run: runNotice });
  // Deadlines: the handlers re-check the filing (an acknowledged one makes them no-ops).
  registry.handle(FILING_ACK_DUE, {
    queue: 'deadline',
    run: (payload: { filingId: string }, ctx) => {
      ctx.once((tx) => {
        markFilingOverdue(tx, ctx.deps, payload.filingId);
      });
    },
  });
  registry.handle(FILING_ESCALATE, {
    queue: 'deadline',
    run: (payload: { filingId: string }, ctx) => {
      ctx.once((tx) => {
        escalateFiling(tx, ctx.deps, payload.filingId);
      });
    },
  });
  registry.react(FILING_EVENT_TYPES, (e, deps) => filingJobsFor(e, deps.config.filingFineThresholdFen));
}
