import type { Capability } from './http/capability.js';
import { keysCapability } from './keys/index.js';
import { opsCapability } from './ops/index.js';
import { eventsCapability } from './events/index.js';
import { referenceRoutes } from './reference/routes.js';
import { jurisdiction } from './jurisdiction/index.js';
import { assignmentsCapability } from './assignments/index.js';
import { intakeCapability } from './intake/index.js';
import { casesCapability } from './cases/index.js';
import { filingsCapability } from './filings/index.js';
import { inspectionsCapability } from './inspections/index.js';
import { operationsCapability } from './operations/index.js';
import { airCapability } from './air/index.js';
import { auditCapability } from './audit/index.js';
import { vocabularyCapability } from './vocabulary/index.js';
import { ledgerCapability } from './ledger/index.js';
import { consultationsCapability } from './consultations/index.js';
import { statsCapability } from './stats/index.js';
import { reportsCapability } from './reports/index.js';

/** Registration order: dependencies flow one way (reference before jurisdiction before intake…). */
export const capabilities: Capability[] = [
  opsCapability,
  keysCapability,
  eventsCapability,
  { name: 'reference', routes: referenceRoutes },
  jurisdiction,
  assignmentsCapability,
  intakeCapability,
  casesCapability,
  filingsCapability,
  inspectionsCapability,
  ledgerCapability,
  consultationsCapability,
  statsCapability,
  reportsCapability,
  operationsCapability,
  airCapability,
  auditCapability,
  vocabularyCapability,
];
