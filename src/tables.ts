// Every table, for drizzle-kit (`npm run db:generate`). Each floor and capability owns its tables.ts.
export * from './auth/tables.js';
export * from './http/tables.js';
export * from './outbox/tables.js';
export * from './queue/tables.js';
export * from './notifications/tables.js';
export * from './reference/tables.js';
export * from './jurisdiction/tables.js';
export * from './assignments/tables.js';
export * from './intake/tables.js';
export * from './events/tables.js';
export * from './cases/tables.js';
export * from './filings/tables.js';
export * from './outbox/tables.js';
export * from './notifications/tables.js';
export * from './inspections/tables.js';
export * from './operations/tables.js';
