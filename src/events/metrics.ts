import { count, inArray } from 'drizzle-orm';
import { events } from '../outbox/tables.js';
import { deliveries } from './tables.js';
import { EVENT_TYPE_NAMES } from './catalog.js';
import type { Deps } from '../deps.js';

/** Event types that say a deadline passed (`case.overdue`, `inspection.publication_overdue`, …). */
const OVERDUE_TYPES = EVENT_TYPE_NAMES().filter((t) => /overdue$/.test(t));

/**
 * The events capability's series: webhook deliveries by outcome, and deadlines that went overdue
 * by kind (counted from the outbox through the events_type index, so every process and every
 * restart reports the same totals).
 */
export function registerEventMetrics(deps: Deps) {
  const m = deps.services.metrics;
  m.gauge('enf_webhook_deliveries', 'Webhook deliveries by outcome (pending = still being attempted)', ['outcome'], () => {
    const rows = deps.db.select({ status: deliveries.status, n: count() }).from(deliveries).groupBy(deliveries.status).all();
    const by = new Map(rows.map((r) => [r.status, r.n]));
    return (['pending', 'delivered', 'failed', 'cancelled'] as const).map((outcome) => [{ outcome }, by.get(outcome) ?? 0]);
  });
  m.gauge('enf_deadlines_overdue_total', 'Deadlines that passed unmet, by kind (the overdue event type), since the database began', ['kind'], () => {
    const rows = deps.db.select({ type: events.type, n: count() }).from(events).where(inArray(events.type, OVERDUE_TYPES)).groupBy(events.type).all();
    const by = new Map(rows.map((r) => [r.type, r.n]));
    return OVERDUE_TYPES.map((kind) => [{ kind }, by.get(kind) ?? 0]);
  });
}
