import type { Deps } from '../deps.js';
import type { JobRegistry } from '../queue/types.js';
import { DUE_JOB, NOTICE_JOB, WEEK_JOB, onDue, onNoticeEnd, onWeekEnd } from './service.js';

/** The ledger's clocks: due dates, week ends (missed reports) and the end of public notice. */
export function ledgerJobs(registry: JobRegistry, _deps: Deps) {
  registry.handle(DUE_JOB, { queue: 'deadline', run: (p: { id: string }, ctx) => void ctx.once((tx) => onDue(tx, ctx.deps, p.id)) });
  registry.handle(WEEK_JOB, {
    queue: 'deadline',
    run: (p: { id: string; weekOf: string }, ctx) => void ctx.once((tx) => onWeekEnd(tx, ctx.deps, p.id, p.weekOf)),
  });
  registry.handle(NOTICE_JOB, { queue: 'deadline', run: (p: { id: string }, ctx) => void ctx.once((tx) => onNoticeEnd(tx, ctx.deps, p.id)) });
}
