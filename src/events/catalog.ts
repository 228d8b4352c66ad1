import type { EventTypeEntry } from '../outbox/catalog.js';
import { COMPLAINT_EVENTS } from '../intake/events.js';
import { ASSIGNMENT_EVENTS } from '../assignments/events.js';
import { CASE_EVENTS } from '../cases/events.js';
import { FILING_EVENTS } from '../filings/events.js';
import { NOTIFICATION_EVENTS } from '../notifications/events.js';
import { inspectionCatalog, type InspectionEventType } from '../inspections/events.js';
import { OPERATION_EVENTS } from '../operations/events.js';
import { AIR_EVENTS } from '../air/events.js';
import { SUBSCRIPTION_EVENTS } from './events.js';
import { REFERENCE_EVENTS } from '../reference/events.js';
import { LEDGER_EVENTS } from '../ledger/events.js';
import { CONSULTATION_EVENTS } from '../consultations/events.js';
import { OPS_EVENTS } from '../ops/events.js';
import { REPORT_EVENTS } from '../reports/events.js';

export type { EventTypeEntry } from '../outbox/catalog.js';

/**
 * The published event catalog: every CloudEvents `type` this service emits and the JSON Schema of
 * its `data`, gathered from the capability that emits it (its `events.ts`). Served at
 * GET /v1/event-types and added to the OpenAPI document as `EventData.<type>`.
 */
const CATALOG = {
  ...COMPLAINT_EVENTS,
  ...ASSIGNMENT_EVENTS,
  ...CASE_EVENTS,
  ...FILING_EVENTS,
  ...NOTIFICATION_EVENTS,
  ...SUBSCRIPTION_EVENTS,
  ...REFERENCE_EVENTS,
  ...LEDGER_EVENTS,
  ...CONSULTATION_EVENTS,
  ...OPS_EVENTS,
  ...OPERATION_EVENTS,
  ...AIR_EVENTS,
  ...REPORT_EVENTS,
};

/** Every event type the service emits. */
export type EventType = keyof typeof CATALOG | InspectionEventType;

export const EVENT_TYPES: Record<EventType, EventTypeEntry> = { ...CATALOG, ...(inspectionCatalog() as Record<InspectionEventType, EventTypeEntry>) };

export const EVENT_TYPE_NAMES = (): string[] => Object.keys(EVENT_TYPES).sort();

/** `$id` used for the data schema of `type` in the OpenAPI document. */
export const eventDataSchemaId = (type: string) => `EventData.${type}`;
