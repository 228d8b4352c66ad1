// Every table, one import for drizzle and drizzle-kit. Each capability owns its schema file.
export * from '../auth/schema.js';
export * from '../reference/schema.js';
export * from '../jurisdiction/schema.js';
export * from '../assignments/schema.js';
export * from '../intake/schema.js';
export * from '../events/schema.js';
export * from '../queue/schema.js';
export * from '../http/idempotency-schema.js';
export * from '../cases/schema.js';
export * from '../filings/schema.js';
